import type { FakeColumn } from '../../fake-query-types';
import { csvField, formatTimestamp, normalizeValue } from './value-encoding';

/** The formats the fake serves. */
export const FORMATS: ReadonlySet<string> = new Set(['json', 'json/compact', 'json/simple', 'json/simple/compact', 'csv', 'tsv']);

/** The text of a result in one format (docs/reference/devo-query-api.md §5): head, rows, error marker, tail. */
export interface ResultEncoder {
  isCsv: boolean;
  separator: string;
  lineEnd: string;
  head: () => string;
  encodeRow: (row: readonly unknown[], first: boolean) => string;
  /** The in-stream error marker of docs/reference/devo-query-api.md §7.2. */
  errorMarker: (status: number, message: string, objectShape: boolean) => string;
  tail: () => string;
}

/** The encoder of a result with these columns; `timestamp` and `cid` go into the envelope. */
export function createResultEncoder(format: string, columns: readonly FakeColumn[], ipAsString: boolean, timestamp: number, cid: string): ResultEncoder {
  const separator = format === 'tsv' ? '\t' : ',';
  const isCsv = format === 'csv' || format === 'tsv';
  const lineEnd = isCsv ? '\n' : '\r\n';
  const names = columns.map((column) => column.name);
  const types = columns.map((column) => column.type);

  const head = (): string => {
    switch (format) {
      case 'json':
        return `{"msg":"","status":0,"timestamp":${timestamp},"cid":"${cid}","object":[`;
      case 'json/compact':
        return `{"msg":"","status":0,"timestamp":${timestamp},"cid":"${cid}","object":{${metadataMembers()},"d":[`;
      case 'json/simple/compact':
        return `{${metadataMembers()}}${lineEnd}`;
      case 'json/simple':
        return '';
      default:
        return names.map((name) => csvField(name, separator)).join(separator) + lineEnd;
    }
  };
  function metadataMembers(): string {
    const m: Record<string, { type: string; index: number }> = {};
    columns.forEach((column, index) => {
      m[column.name] = { type: column.type, index };
    });
    return `"m":${JSON.stringify(m)},"metadata":${JSON.stringify(columns.map((column) => ({ name: column.name, type: column.type })))}`;
  }
  // Only ip4, timestamp (Date) and bigint values need rewriting; skip the copy when none can occur.
  const plainColumns =
    (format === 'json/simple/compact' || format === 'json/compact' || isCsv) &&
    types.every((type) => type !== 'ip4' && type !== 'timestamp' && type !== 'int8');
  const encodeRow = (row: readonly unknown[], first: boolean): string => {
    let values: readonly unknown[] = row;
    if (!plainColumns) {
      const copy = new Array<unknown>(row.length);
      for (let index = 0; index < row.length; index++) copy[index] = normalizeValue(row[index], types[index] ?? 'str', ipAsString);
      values = copy;
    }
    switch (format) {
      case 'json': {
        const object: Record<string, unknown> = {};
        names.forEach((name, index) => {
          object[name] = values[index];
        });
        return (first ? '' : ',') + JSON.stringify(object);
      }
      case 'json/compact':
        return (first ? '' : ',') + JSON.stringify(values);
      case 'json/simple/compact':
        return `{"d":${JSON.stringify(values)}}${lineEnd}`;
      case 'json/simple': {
        const object: Record<string, unknown> = {};
        names.forEach((name, index) => {
          object[name] = values[index];
        });
        return JSON.stringify(object) + lineEnd;
      }
      default:
        return (
          values
            .map((value, index) => csvField(typeof value === 'number' && types[index] === 'timestamp' ? formatTimestamp(value) : value, separator))
            .join(separator) + lineEnd
        );
    }
  };
  const errorMarker = (errorStatus: number, errorMessage: string, objectShape: boolean): string => {
    switch (format) {
      case 'json':
        return `],"error":${JSON.stringify([errorStatus, errorMessage])}}`;
      case 'json/compact':
        return `],"e":${JSON.stringify([errorStatus, errorMessage])}}}`;
      case 'json/simple/compact':
        return (objectShape ? `{"e":${JSON.stringify({ msg: errorMessage })}}` : `{"e":${JSON.stringify([errorStatus, errorMessage])}}`) + lineEnd;
      case 'json/simple':
        return JSON.stringify(['error', errorStatus, errorMessage]) + lineEnd;
      default:
        return ['devo.api.error', String(errorStatus), errorMessage].join(separator) + lineEnd;
    }
  };
  const tail = (): string => (format === 'json' ? ']}' : format === 'json/compact' ? ']}}' : '');
  return { isCsv, separator, lineEnd, head, encodeRow, errorMarker, tail };
}
