import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { readDataset } from '@dga/dataset';
import { parseFile } from 'fast-csv';
import type { DevoValue } from './linq/devo-type';
import type { ColumnSpec, SandboxTable } from './linq/run-query';
import { DevoSandboxError } from './sandbox-error';

/** The table Devo's tutorials query. */
export const DEMO_TABLE = 'demo.ecommerce.data';

/** Options of {@link createReferralTable}. */
export interface ReferralTableOptions {
  /** `eventdate` of the last row, epoch ms; earlier rows go back `spacingMs` each. */
  readonly endTime: number;
  /** Time between rows. @default min(1000, 3_000_000 / (rows - 1)): at most 1 s, all rows within 50 minutes */
  readonly spacingMs?: number;
  /** After every `dashEvery` hosts, add a row with the referrer `-` (no referrer), as Devo data has. 0 = none. @default 40 */
  readonly dashEvery?: number;
}

const paths = [
  '/product.screen?product_id=FL-DSH-01&JSESSIONID=SD5SL7FF6ADFF5',
  '/category.screen?category_id=GIFTS',
  '/',
  '/cart.do?action=view&itemId=EST-6',
  '/path?x=1',
];

/**
 * The referral URL the sandbox makes of a host: deterministic, cycling through a few schemes
 * and paths like `demo.ecommerce.data`'s (`http://<host>/product.screen?…`).
 */
export function referralUrl(host: string, index: number): string {
  const scheme = index % 3 === 2 ? 'https' : 'http';
  return `${scheme}://${host}${paths[index % paths.length] as string}`;
}

/**
 * A `demo.ecommerce.data`-like table (`eventdate`, `referralUri`) of referral URLs made from
 * hosts, oldest first, with a `-` referrer after every `dashEvery` hosts.
 *
 * @example
 * const table = createReferralTable(['www.google.com', 'gacyhuw.com'], { endTime: Date.UTC(2026, 0, 1) });
 */
export function createReferralTable(hosts: Iterable<string>, options: ReferralTableOptions): SandboxTable {
  const dashEvery = options.dashEvery ?? 40;
  const uris: string[] = [];
  let index = 0;
  for (const host of hosts) {
    uris.push(referralUrl(host, index));
    index += 1;
    if (dashEvery > 0 && index % dashEvery === 0) uris.push('-');
  }
  const spacing = options.spacingMs ?? defaultSpacing(uris.length);
  const start = options.endTime - (uris.length - 1) * spacing;
  return {
    columns: [{ name: 'eventdate', type: 'timestamp' }, { name: 'referralUri', type: 'str' }],
    rows: uris.map((uri, row) => [start + row * spacing, uri]),
  };
}

/** Reads the hosts of a labelled `host;domain;class;subclass` CSV (path or URL) through `@dga/dataset`. */
export async function readLabelledHosts(source: string): Promise<string[]> {
  const hosts: string[] = [];
  for await (const row of readDataset(source)) hosts.push(row.host);
  return hosts;
}

function parseTimestamp(value: unknown, file: string, line: number): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value;
  const text = valueText(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseTimestamp(Number(text), file, line);
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (match === null) {
    throw new DevoSandboxError('ERR_SANDBOX_TABLE_INPUT', `${file}:${line}: eventdate ${JSON.stringify(text.slice(0, 40))} is not a date; use epoch seconds/ms or "YYYY-MM-DD hh:mm:ss" (UTC)`);
  }
  const [, year, month, day, hour = '0', minute = '0', second = '0', millis = '0', zone] = match;
  let time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(millis.padEnd(3, '0')));
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return time;
}

function inferType(values: readonly unknown[]): string {
  let type: string | undefined;
  for (const value of values) {
    if (value === null || value === undefined || value === '') continue;
    let valueType: string;
    if (typeof value === 'boolean' || value === 'true' || value === 'false') valueType = 'bool';
    else if (typeof value === 'number' || (typeof value === 'string' && /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value))) {
      const number = Number(value);
      valueType = Number.isInteger(number) && !String(value).includes('.') ? (Math.abs(number) < 2 ** 31 ? 'int4' : 'int8') : 'float8';
    } else if (typeof value === 'string') valueType = 'str';
    else valueType = 'json';
    if (type === undefined || type === valueType) type = valueType;
    else if ((type === 'int4' || type === 'int8' || type === 'float8') && (valueType === 'int4' || valueType === 'int8' || valueType === 'float8')) {
      type = type === 'float8' || valueType === 'float8' ? 'float8' : 'int8';
    } else type = 'str';
  }
  return type ?? 'str';
}

function convert(value: unknown, type: string): DevoValue {
  if (value === null || value === undefined || value === '') return null;
  switch (type) {
    case 'bool':
      return value === true || value === 'true';
    case 'int4':
    case 'int8':
    case 'float8':
      return Number(value);
    case 'json':
      return JSON.stringify(value);
    default:
      return valueText(value);
  }
}

/** A CSV or JSON value as text: strings as they are, numbers and booleans as `String` writes them, objects and arrays as JSON. */
function valueText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(value);
    case 'object':
      return value === null ? 'null' : JSON.stringify(value);
    case 'symbol':
    case 'function':
      return value.toString();
  }
}

/** Options of {@link readTableFile}. */
export interface ReadTableFileOptions {
  /** Used when the file has no `eventdate` column (rows get one, `spacingMs` apart, ending here); also for labelled CSVs. */
  readonly endTime: number;
  /** @default as in {@link ReferralTableOptions.spacingMs} */
  readonly spacingMs?: number;
}

/** Default row spacing: 1 s, or less so that every row falls within the 50 minutes before the end. */
function defaultSpacing(rows: number): number {
  return rows <= 1 ? 1000 : Math.min(1000, Math.floor(3_000_000 / (rows - 1)));
}

async function readRecords(file: string): Promise<{ header: string[]; records: Record<string, unknown>[] }> {
  const handle = await open(file, 'r');
  let head: string;
  try {
    const buffer = Buffer.alloc(65_536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  const records: Record<string, unknown>[] = [];
  const header: string[] = [];
  if (/\.(nd)?jsonl?$/i.test(file) || head.trimStart().startsWith('{')) {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (error) {
        throw new DevoSandboxError('ERR_SANDBOX_TABLE_INPUT', `${file}:${line}: not a JSON object per line (NDJSON): ${(error as Error).message}`, { cause: error });
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new DevoSandboxError('ERR_SANDBOX_TABLE_INPUT', `${file}:${line}: each NDJSON line must be an object of column values`);
      }
      for (const key of Object.keys(record)) if (!header.includes(key)) header.push(key);
      records.push(record as Record<string, unknown>);
    }
    return { header, records };
  }
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [';', '\t', ','].reduce((best, candidate) => (firstLine.split(candidate).length > firstLine.split(best).length ? candidate : best), ',');
  await new Promise<void>((resolve, reject) => {
    parseFile(file, { headers: true, delimiter, ignoreEmpty: true, trim: true })
      .on('headers', (names: string[]) => header.push(...names))
      .on('data', (record: Record<string, string>) => records.push(record))
      .on('error', (error: Error) => reject(new DevoSandboxError('ERR_SANDBOX_TABLE_INPUT', `${file}: cannot read CSV: ${error.message}`, { cause: error })))
      .on('end', () => resolve());
  });
  return { header, records };
}

/**
 * Reads a table from a CSV (`,`, `;` or tab, with a header line) or NDJSON file. A labelled
 * `host;domain;class;subclass` CSV becomes a referral table ({@link createReferralTable}).
 * Column types are inferred (int4/int8, float8, bool, str); `eventdate` is a timestamp (epoch
 * seconds or ms, or `YYYY-MM-DD hh:mm:ss` UTC) and is added when absent.
 *
 * @example
 * const table = await readTableFile('events.ndjson', { endTime: Date.now() });
 */
export async function readTableFile(file: string, options: ReadTableFileOptions): Promise<SandboxTable> {
  const { header, records } = await readRecords(file);
  if (header.join(';') === 'host;domain;class;subclass') {
    return createReferralTable(await readLabelledHosts(file), options);
  }
  if (header.length === 0) throw new DevoSandboxError('ERR_SANDBOX_TABLE_INPUT', `${file}: no columns found; give a CSV with a header line or NDJSON objects`);
  const spacing = options.spacingMs ?? defaultSpacing(records.length);
  const hasEventdate = header.includes('eventdate');
  const names = hasEventdate ? header : ['eventdate', ...header];
  const columns: ColumnSpec[] = names.map((name) =>
    name === 'eventdate' ? { name, type: 'timestamp' } : { name, type: inferType(records.map((record) => record[name])) },
  );
  const start = options.endTime - (records.length - 1) * spacing;
  const rows = records.map((record, index) =>
    columns.map((column) =>
      column.name === 'eventdate'
        ? hasEventdate ? parseTimestamp(record['eventdate'], file, index + 2) : start + index * spacing
        : convert(record[column.name], column.type),
    ),
  );
  return { columns, rows };
}
