import type { OperatingPoint } from '@dga/model';

/** Output formats of row-producing commands. */
export type RowFormat = 'table' | 'json' | 'csv';

/** A cell value as text: '' for null and undefined, JSON for objects and arrays, the plain text of other values. */
export function valueText(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return '';
    case 'object':
      return value === null ? '' : JSON.stringify(value);
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'symbol':
    case 'function':
      return value.toString();
  }
}

/** Quotes a CSV field when needed (RFC 4180). */
export function csvField(value: unknown): string {
  const text = valueText(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A rounded number for human tables (stable, no locale). */
export function formatNumber(value: unknown, digits = 4): string {
  if (typeof value !== 'number') return valueText(value);
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(digits);
}

/**
 * Renders a stream of records line by line: an aligned table (widths fixed from the first
 * `sample` rows so memory stays constant), NDJSON, or CSV with a header.
 */
export function createRowWriter(
  format: RowFormat,
  columns: readonly { key: string; title?: string; width?: number; align?: 'left' | 'right'; format?: (value: unknown) => string }[],
): { header(): string; row(record: Record<string, unknown>): string } {
  if (format === 'json') {
    return { header: () => '', row: (record) => JSON.stringify(record) + '\n' };
  }
  if (format === 'csv') {
    return {
      header: () => columns.map((column) => csvField(column.key)).join(',') + '\n',
      row: (record) => columns.map((column) => csvField(record[column.key])).join(',') + '\n',
    };
  }
  const cell = (text: string, column: (typeof columns)[number], last: boolean) => {
    const width = column.width ?? 0;
    if (last && column.align !== 'right') return text;
    return column.align === 'right' ? text.padStart(width) : text.padEnd(width);
  };
  return {
    header: () =>
      columns.map((column, index) => cell(column.title ?? column.key, column, index === columns.length - 1)).join('  ').trimEnd() + '\n',
    row: (record) =>
      columns
        .map((column, index) => cell((column.format ?? ((value) => formatNumber(value)))(record[column.key]), column, index === columns.length - 1))
        .join('  ')
        .trimEnd() + '\n',
  };
}

/** A rate as a percentage with three significant digits: `1 %`, `0.1 %`. */
export function formatRate(rate: number): string {
  return `${Number((rate * 100).toPrecision(3))} %`;
}

/** `TPR 0.512 at 0.1 % FPR (threshold 0.9871) · TPR 0.823 at 1 % FPR (threshold 0.8712)`. */
export function formatOperatingPoints(points: readonly OperatingPoint[]): string {
  return points
    .map((point) =>
      point.tpr === null
        ? `TPR - at ${formatRate(point.targetFpr)} FPR (one class only)`
        : `TPR ${formatNumber(point.tpr)} at ${formatRate(point.targetFpr)} FPR (${point.threshold === null ? 'no threshold reaches it' : `threshold ${formatNumber(point.threshold)}`})`,
    )
    .join(' · ');
}
