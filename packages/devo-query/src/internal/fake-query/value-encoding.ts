export function ipToInt(value: string): number | string {
  const parts = value.split('.');
  if (parts.length !== 4) return value;
  let result = 0;
  for (const part of parts) {
    const byte = Number(part);
    if (!Number.isInteger(byte) || byte < 0 || byte > 255) return value;
    result = result * 256 + byte;
  }
  return result;
}

export function intToIp(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** `2022-08-04 10:47:00.000` in UTC (docs/reference/devo-query-api.md §5 csv; `timeZone`/`dateFormat` are not applied by the fake). */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2022-08-04T10:47:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

const NEEDS_QUOTES = /[",\t\n\r]/;

/** RFC 4180 quoting: docs/reference/devo-query-api.md leaves csv quoting open ([?]); this is the fake's choice. */
export function csvField(value: unknown, separator: string): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
        ? String(value)
        : (JSON.stringify(value) ?? '');
  if (NEEDS_QUOTES.test(text) && (text.includes(separator) || text.includes('"') || text.includes('\n') || text.includes('\r'))) {
    return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}

export function normalizeValue(value: unknown, type: string, ipAsString: boolean): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'timestamp' && value instanceof Date) return value.getTime();
  if (type === 'ip4') {
    if (ipAsString) return typeof value === 'number' ? intToIp(value) : value;
    return typeof value === 'string' ? ipToInt(value) : value;
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}
