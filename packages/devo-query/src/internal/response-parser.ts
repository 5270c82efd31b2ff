import { QueryDataError, QueryResponseError, type DevoQueryError } from '../errors';

/** A result column. `type` is Devo's type from the metadata, or undefined when the format carries none (json, json/simple, csv, tsv). */
export interface QueryColumn {
  name: string;
  type: string | undefined;
  index: number;
}

/** A progress mark (`{"p":[…]}` lines of json/simple/compact with `progressInfo`). */
export interface QueryProgress {
  /** The server's progress mark, read as epoch ms ([I], docs/reference/devo-query-api.md §5). */
  timestamp: number;
}

export type QueryFormat = 'json' | 'json/compact' | 'json/simple' | 'json/simple/compact' | 'csv' | 'tsv';
export const QUERY_FORMATS: readonly QueryFormat[] = ['json/simple/compact', 'json/simple', 'json', 'json/compact', 'csv', 'tsv'];

export interface ResponseParserOptions {
  rowShape: 'object' | 'array';
  timestamps: 'epoch-ms' | 'date';
  /** csv/tsv: the custom keep-alive token sent in `keepAlive`, stripped where it is glued before a row (docs/reference/devo-query-api.md §6). */
  keepAliveToken?: string | undefined;
  onColumns(columns: QueryColumn[]): void;
  onProgress?: ((event: QueryProgress) => void) | undefined;
  /** Longest line accepted before the response is declared malformed. @default 64 MiB */
  maxLineChars?: number;
}

const SNIPPET = 120;

function snippet(text: string): string {
  return text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Columns from a metadata object: `metadata[]` order, else `m` keys sorted by `index`, never object key order (docs/reference/devo-query-api.md §5, §12). */
export function columnsFromMetadata(source: Record<string, unknown>): QueryColumn[] | undefined {
  const metadata = source.metadata;
  if (Array.isArray(metadata) && metadata.every((item) => isRecord(item) && typeof item.name === 'string')) {
    return (metadata as { name: string; type?: unknown }[]).map((item, index) => ({
      name: item.name,
      type: typeof item.type === 'string' ? item.type : undefined,
      index,
    }));
  }
  const m = source.m;
  if (isRecord(m)) {
    const entries = Object.entries(m).map(([name, value]) => ({
      name,
      type: isRecord(value) && typeof value.type === 'string' ? value.type : undefined,
      index: isRecord(value) && typeof value.index === 'number' ? value.index : Number.NaN,
    }));
    if (entries.some((entry) => !Number.isInteger(entry.index))) return undefined;
    entries.sort((left, right) => left.index - right.index);
    return entries.map((entry, index) => ({ ...entry, index }));
  }
  return undefined;
}

/** Reads `[status, message]`, `{msg}`/`{message}`, or a string as (code, message). */
function readErrorMarker(value: unknown): { code: number | string | undefined; message: string } {
  if (Array.isArray(value)) {
    const code = typeof value[0] === 'number' || typeof value[0] === 'string' ? value[0] : undefined;
    return { code, message: value.slice(1).map(String).join(': ') || 'unknown error' };
  }
  if (isRecord(value)) {
    const message = typeof value.msg === 'string' ? value.msg : typeof value.message === 'string' ? value.message : JSON.stringify(value);
    const code = typeof value.code === 'number' || typeof value.code === 'string' ? value.code : typeof value.status === 'number' ? value.status : undefined;
    return { code, message };
  }
  return { code: undefined, message: String(value) };
}

/**
 * Incremental parser of a Query API response body (docs/reference/devo-query-api.md §5 "Robust row parser"). Feed it raw bytes
 * with {@link write}, then call {@link end}. Parsed rows accumulate in {@link rows} (take them with
 * {@link takeRows}); an error marker, a malformed line or a truncation sets {@link error}, after
 * which input is ignored, so callers deliver the rows before the error, then throw it.
 * Streaming formats use constant memory (one line at a time); json and json/compact are one
 * document by nature and are buffered whole.
 */
export class ResponseParser {
  rows: unknown[] = [];
  error: DevoQueryError | undefined;
  rowCount = 0;
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';
  private lineNumber = 0;
  private columns: QueryColumn[] | undefined;
  private names: string[] = [];
  private timestampIndexes: number[] = [];
  private readonly documentParts: string[] = [];
  private readonly separator: string;
  private readonly isCsv: boolean;
  private readonly isDocument: boolean;
  private csvRecord: string | undefined;
  private readonly maxLineChars: number;

  constructor(
    readonly format: QueryFormat,
    private readonly options: ResponseParserOptions,
  ) {
    this.isCsv = format === 'csv' || format === 'tsv';
    this.separator = format === 'tsv' ? '\t' : ',';
    this.isDocument = format === 'json' || format === 'json/compact';
    this.maxLineChars = options.maxLineChars ?? 64 * 2 ** 20;
  }

  /** Returns the parsed rows so far and empties the buffer. */
  takeRows(): unknown[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  write(chunk: Uint8Array | string): void {
    if (this.error !== undefined) return;
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.isDocument) {
      this.documentParts.push(text);
      return;
    }
    this.feed(text);
  }

  /** Call when the body ended normally: flushes the last line and detects truncation. */
  end(): void {
    if (this.error !== undefined) return;
    const rest = this.decoder.decode();
    if (this.isDocument) {
      this.documentParts.push(rest);
      this.parseDocument(this.documentParts.join(''));
      return;
    }
    this.feed(rest);
    if (this.error !== undefined) return;
    const last = this.partial;
    this.partial = '';
    if (this.isCsv) {
      // [I] An empty csv/tsv body (no header) is taken as "no rows"; docs/reference/devo-query-api.md does not say whether
      // the header is always sent. A final row without "\n" is accepted; its field count is checked.
      if (last !== '') this.csvLine(last);
      if (this.error === undefined && this.csvRecord !== undefined) {
        this.fail('ERR_QUERY_TRUNCATED', `the response ended inside a quoted field at line ${this.lineNumber}`);
      }
      return;
    }
    const line = last.trim();
    if (line !== '') {
      this.lineNumber++;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        this.fail('ERR_QUERY_TRUNCATED', `the response ended in the middle of line ${this.lineNumber}: ${snippet(line)}`);
        return;
      }
      this.jsonLine(value, line);
    }
    // [I] An empty json/simple body is taken as "no rows" (docs/reference/devo-query-api.md shows no sample of it); an empty
    // json/simple/compact body cannot be complete, since its metadata line is always sent [C].
    if (this.error === undefined && this.format === 'json/simple/compact' && this.columns === undefined) {
      this.fail('ERR_QUERY_TRUNCATED', 'the response ended before its metadata line (an empty json/simple/compact result still has one)');
    }
  }

  private fail(code: 'ERR_QUERY_TRUNCATED' | 'ERR_QUERY_MALFORMED' | 'ERR_QUERY_RESPONSE', detail: string): void {
    const hint =
      code === 'ERR_QUERY_TRUNCATED'
        ? 'The connection or the server stopped early; retry the query, or narrow its time range.'
        : 'This is not the Query API format the client expects; check the URL points at the Query API, and report the line if it does.';
    this.error ??= new QueryResponseError(code, `Devo query response (${this.format}): ${detail}. ${hint}`);
  }

  private dataError(code: number | string | undefined, message: string): void {
    this.error ??= new QueryDataError(
      `Error while receiving query data after ${this.rowCount} rows: ${message}. The rows before it were delivered; fix the query or retry.`,
      { serverCode: code, serverMessage: message, rowsBefore: this.rowCount },
    );
  }

  private setColumns(columns: QueryColumn[]): void {
    this.columns = columns;
    this.names = columns.map((column) => column.name);
    this.timestampIndexes =
      this.options.timestamps === 'date' ? columns.filter((column) => column.type === 'timestamp').map((column) => column.index) : [];
    this.options.onColumns(columns);
  }

  private feed(text: string): void {
    const buffer = this.partial === '' ? text : this.partial + text;
    let start = 0;
    let index = buffer.indexOf('\n');
    while (index !== -1) {
      this.line(buffer.slice(start, index));
      if (this.error !== undefined) return;
      start = index + 1;
      index = buffer.indexOf('\n', start);
    }
    let rest = start === 0 ? buffer : buffer.slice(start);
    // Idle keep-alives never end with a newline in JSON modes (runs of spaces) or with a custom
    // csv token: drop them here so an idle continuous query does not grow this buffer.
    if (this.isCsv) {
      if (this.csvRecord === undefined) rest = this.stripToken(rest);
    } else if (rest.length > 0 && rest.charCodeAt(0) <= 32) {
      rest = rest.trimStart();
    }
    if (rest.length > this.maxLineChars) {
      this.fail('ERR_QUERY_MALFORMED', `a line is longer than ${this.maxLineChars} characters`);
      return;
    }
    this.partial = rest;
  }

  private stripToken(text: string): string {
    const token = this.options.keepAliveToken;
    if (token === undefined || token === '') return text;
    let offset = 0;
    while (text.startsWith(token, offset)) offset += token.length;
    return offset === 0 ? text : text.slice(offset);
  }

  private line(raw: string): void {
    if (this.isCsv) {
      this.csvLine(raw);
      return;
    }
    this.lineNumber++;
    const line = raw.trim(); // strips \r of CRLF and keep-alive spaces before/after a line
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} is not valid JSON: ${snippet(line)}`);
      return;
    }
    this.jsonLine(value, line);
  }

  private shapeRow(values: unknown[]): unknown {
    for (const index of this.timestampIndexes) {
      const value = values[index];
      if (typeof value === 'number') values[index] = new Date(value);
    }
    if (this.options.rowShape === 'array') return values;
    const row: Record<string, unknown> = {};
    const names = this.names;
    for (let index = 0; index < names.length; index++) row[names[index]!] = values[index];
    return row;
  }

  private jsonLine(value: unknown, line: string): void {
    if (this.format === 'json/simple') {
      if (Array.isArray(value)) {
        if (value[0] === 'error') {
          this.dataError(value[1] as number | undefined, value.slice(2).map(String).join(': ') || 'unknown error');
        } else {
          this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} is an array but not an error marker: ${snippet(line)}`);
        }
        return;
      }
      if (!isRecord(value)) {
        this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} is not a row object: ${snippet(line)}`);
        return;
      }
      if (this.columns === undefined) {
        this.setColumns(Object.keys(value).map((name, index) => ({ name, type: undefined, index })));
      }
      this.rows.push(this.options.rowShape === 'array' ? this.names.map((name) => value[name]) : value);
      this.rowCount++;
      return;
    }
    // json/simple/compact
    if (!isRecord(value)) {
      this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} is not a JSON object: ${snippet(line)}`);
      return;
    }
    const data = value.d;
    if (data !== undefined) {
      if (!Array.isArray(data)) {
        this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} has a "d" that is not an array: ${snippet(line)}`);
      } else if (this.columns === undefined) {
        this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} is a row before the metadata line`);
      } else if (data.length !== this.names.length) {
        this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} has ${data.length} values for ${this.names.length} columns`);
      } else {
        this.rows.push(this.shapeRow(data));
        this.rowCount++;
      }
      return;
    }
    if (value.e !== undefined) {
      const marker = readErrorMarker(value.e);
      this.dataError(marker.code, marker.message);
      return;
    }
    if (value.p !== undefined) {
      const mark: unknown = Array.isArray(value.p) ? (value.p as unknown[])[0] : value.p;
      if (typeof mark === 'number') this.options.onProgress?.({ timestamp: mark });
      return;
    }
    if (value.m !== undefined || value.metadata !== undefined) {
      const columns = columnsFromMetadata(value);
      if (columns === undefined) this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} has unreadable metadata: ${snippet(line)}`);
      else if (this.columns !== undefined) this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} is a second metadata line`);
      else this.setColumns(columns);
      return;
    }
    // [I] a docs/reference/devo-query-api.md §7.1-style error object written as a line of a 200 response (not documented, but
    // cheap to recognise): report the server's words instead of "malformed".
    if (value.error !== undefined || (typeof value.status === 'number' && value.status !== 0)) {
      const message =
        typeof value.msg === 'string' && value.msg !== ''
          ? value.msg
          : typeof value.error === 'string'
            ? value.error
            : readErrorMarker(value.error ?? value).message;
      this.dataError(typeof value.code === 'number' ? value.code : (value.status as number | undefined), message);
      return;
    }
    this.fail('ERR_QUERY_MALFORMED', `line ${this.lineNumber} is neither metadata, row, progress nor error: ${snippet(line)}`);
  }

  private csvLine(raw: string): void {
    this.lineNumber++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.csvRecord !== undefined) {
      line = `${this.csvRecord}\n${line}`;
      this.csvRecord = undefined;
    } else {
      line = this.stripToken(line);
      if (line.trim() === '') return; // `{"type":"token"}` keep-alives are bare newlines (docs/reference/devo-query-api.md §6)
    }
    const fields = this.splitCsv(line);
    if (fields === undefined) {
      if (line.length > this.maxLineChars) this.fail('ERR_QUERY_MALFORMED', `a quoted field runs past ${this.maxLineChars} characters`);
      else this.csvRecord = line; // a quoted field continues on the next line
      return;
    }
    if (fields[0] === 'devo.api.error') {
      const code = fields[1] !== undefined && /^\d+$/.test(fields[1]) ? Number(fields[1]) : fields[1];
      this.dataError(code, fields.slice(2).join(this.separator) || 'unknown error');
      return;
    }
    // `{"type":"empty"}` keep-alives are rows of separators only (docs/reference/devo-query-api.md §6). [I] a genuine row whose
    // fields are all empty is indistinguishable from one and is dropped too.
    if (fields.every((field) => field === '')) return;
    if (this.columns === undefined) {
      this.setColumns(fields.map((name, index) => ({ name, type: undefined, index })));
      return;
    }
    if (fields.length !== this.names.length) {
      this.fail(
        'ERR_QUERY_MALFORMED',
        `line ${this.lineNumber} has ${fields.length} fields for ${this.names.length} columns: ${snippet(line)}`,
      );
      return;
    }
    this.rows.push(this.options.rowShape === 'array' ? fields : this.shapeRow(fields));
    this.rowCount++;
  }

  /**
   * Splits one record. Quoting follows RFC 4180 (`"a,b"`, `""` for a quote); docs/reference/devo-query-api.md leaves Devo's
   * quoting open ([?], docs/reference/devo-query-api.md §5), so unquoted fields are taken verbatim. Returns undefined when the
   * record ends inside quotes (it continues on the next line).
   */
  private splitCsv(line: string): string[] | undefined {
    const separator = this.separator;
    if (!line.includes('"')) return line.split(separator);
    const fields: string[] = [];
    let index = 0;
    for (;;) {
      if (line[index] === '"') {
        let value = '';
        let position = index + 1;
        for (;;) {
          const quote = line.indexOf('"', position);
          if (quote === -1) return undefined;
          value += line.slice(position, quote);
          if (line[quote + 1] === '"') {
            value += '"';
            position = quote + 2;
            continue;
          }
          position = quote + 1;
          break;
        }
        const next = line.indexOf(separator, position);
        // Text between the closing quote and the separator is kept (lenient, like most readers).
        value += line.slice(position, next === -1 ? line.length : next);
        fields.push(value);
        if (next === -1) return fields;
        index = next + 1;
      } else {
        const next = line.indexOf(separator, index);
        fields.push(line.slice(index, next === -1 ? line.length : next));
        if (next === -1) return fields;
        index = next + 1;
      }
    }
  }

  private parseDocument(text: string): void {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      const trimmed = text.trimEnd();
      const position = /position (\d+)/.exec(error instanceof Error ? error.message : '');
      const atEnd = trimmed === '' || /end of JSON/i.test(String(error)) || (position !== null && Number(position[1]) >= trimmed.length);
      this.fail(
        atEnd ? 'ERR_QUERY_TRUNCATED' : 'ERR_QUERY_MALFORMED',
        atEnd ? `the JSON document ended early after ${text.length} characters` : `the body is not valid JSON: ${snippet(trimmed)}`,
      );
      return;
    }
    if (!isRecord(document)) {
      this.fail('ERR_QUERY_RESPONSE', `the body is not a JSON object: ${snippet(text.trim())}`);
      return;
    }
    const object = document.object;
    const errorMember = this.format === 'json' ? document.error : document.e ?? (isRecord(object) ? object.e : undefined);
    if (this.format === 'json') {
      if (object !== undefined && !Array.isArray(object)) {
        this.fail('ERR_QUERY_RESPONSE', `"object" is not an array of rows: ${snippet(text.trim())}`);
        return;
      }
      const rows = (object ?? []) as unknown[];
      for (const row of rows) {
        if (!isRecord(row)) {
          this.fail('ERR_QUERY_RESPONSE', `a row of "object" is not an object: ${snippet(JSON.stringify(row))}`);
          return;
        }
        if (this.columns === undefined) this.setColumns(Object.keys(row).map((name, index) => ({ name, type: undefined, index })));
        this.rows.push(this.options.rowShape === 'array' ? this.names.map((name) => row[name]) : row);
        this.rowCount++;
      }
      if (this.columns === undefined) this.setColumns([]);
    } else {
      if (object !== undefined && !isRecord(object)) {
        this.fail('ERR_QUERY_RESPONSE', `"object" is not a compact result: ${snippet(text.trim())}`);
        return;
      }
      if (object !== undefined) {
        const columns = columnsFromMetadata(object);
        if (columns === undefined) {
          this.fail('ERR_QUERY_RESPONSE', `"object" has no readable "m"/"metadata": ${snippet(text.trim())}`);
          return;
        }
        this.setColumns(columns);
        const data = object.d ?? [];
        if (!Array.isArray(data)) {
          this.fail('ERR_QUERY_RESPONSE', '"object.d" is not an array');
          return;
        }
        for (const values of data) {
          if (!Array.isArray(values) || values.length !== this.names.length) {
            this.fail('ERR_QUERY_RESPONSE', `a row of "object.d" does not have ${this.names.length} values: ${snippet(JSON.stringify(values))}`);
            return;
          }
          this.rows.push(this.shapeRow(values));
          this.rowCount++;
        }
      } else if (errorMember === undefined) {
        this.fail('ERR_QUERY_RESPONSE', `the body has no "object": ${snippet(text.trim())}`);
        return;
      }
    }
    if (errorMember !== undefined) {
      const marker = readErrorMarker(errorMember);
      this.dataError(marker.code, marker.message);
    } else if (typeof document.status === 'number' && document.status !== 0) {
      const message = typeof document.msg === 'string' && document.msg !== '' ? document.msg : `status ${document.status}`;
      this.dataError(document.status, message);
    }
  }
}
