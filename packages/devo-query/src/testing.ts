/**
 * `@dga/devo-query/testing`: a fake Devo Query API on a real `node:http` server (docs/reference/devo-query-api.md §11), for
 * tests and the offline sandbox. It follows docs/reference/devo-query-api.md closely: auth (token, jwt, HMAC verified over
 * the raw body), parameter errors, every format byte-for-byte as docs/reference/devo-query-api.md §5, keep-alives (§6), progress
 * lines, scripted docs/reference/devo-query-api.md §7.1/§7.2 errors, truncation, table schema (§9) and jobs (§8).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { signRequest } from './internal/sign';
import { evaluateDevoDate } from './internal/devo-date-language';

/** A column of a result or table: `type` is a Devo type (`timestamp str int4 int8 float4 float8 bool ip4 ip6 json`). */
export interface FakeColumn {
  name: string;
  type: string;
}

/** What a {@link QueryEngine} is asked to run. Dates are already resolved to epoch **milliseconds**. */
export interface QueryEngineRequest {
  /** The LINQ text with trailing `pragma k:"v"` clauses removed (saved queries resolved from `queryId`). */
  query?: string;
  queryId?: string;
  /** Start of the range, epoch ms, inclusive (`from <= eventdate`). */
  from: number;
  /** End of the range, epoch ms, exclusive; absent for an open-ended (continuous) query. */
  to?: number;
  /** Informational: the server applies `limit` and `offset` to the rows you return; do not apply them again. */
  limit?: number;
  /** Informational, see `limit`. */
  offset?: number;
  timeZone?: string;
  /** The parsed request body, as sent. */
  body: Record<string, unknown>;
  /** Fires when the client disconnects. */
  signal: AbortSignal;
}

/** Result of a {@link QueryEngine}: columns, then rows as arrays in column order (lazy if you like). */
export interface QueryEngineResult {
  columns: FakeColumn[];
  rows: AsyncIterable<unknown[]> | Iterable<unknown[]>;
}

/**
 * Runs a query for the fake server. Throw {@link QueryLaunchError} for a query the real server
 * would refuse to launch (docs/reference/devo-query-api.md §7.1 500 "Error Launching Query"); any other rejection answers the
 * 500 `server_error` body. An error thrown while iterating `rows` (after the 200 went out) becomes
 * the format's docs/reference/devo-query-api.md §7.2 in-stream marker, `Error Processing Query: <message>`.
 *
 * @example
 * ```ts
 * const engine: QueryEngine = async (request) => ({ columns: [{ name: 'n', type: 'int4' }], rows: [[1], [2]] });
 * ```
 */
export type QueryEngine = (request: QueryEngineRequest) => Promise<QueryEngineResult>;

/**
 * Thrown by a {@link QueryEngine} to answer the docs/reference/devo-query-api.md §7.1 500 "Error Launching Query" body.
 *
 * @example
 * ```ts
 * throw new QueryLaunchError('Unknown field: foo', { position: 17 });
 * ```
 */
export class QueryLaunchError extends Error {
  /** Character offset in the query where the problem is, if known. */
  readonly position: number | undefined;
  constructor(message: string, options: { position?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QueryLaunchError';
    this.position = options.position;
  }
}

/** An in-memory table served by the default engine and by `GET /search/table/{t}`. */
export interface FakeTable {
  columns: FakeColumn[];
  /** Rows in column order (or objects keyed by column name), or a function producing them lazily. */
  rows:
    | readonly (readonly unknown[] | Readonly<Record<string, unknown>>)[]
    | (() => Iterable<unknown[]> | AsyncIterable<unknown[]>);
}

/** A job (task) of docs/reference/devo-query-api.md §8. */
export interface FakeJob {
  id: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'STOPPED' | 'RECONNECTING' | 'REMOVED' | 'PAUSED';
  type: string;
  friendlyName: string;
  query: string;
  eventGenerated: number;
  eventsSent: number;
  lastDatetime: number;
  error: string[];
  extra: Record<string, unknown>;
}

/** One scripted behaviour, consumed by the next request (any endpoint). */
export interface FakeQueryScript {
  /** Answer this HTTP status and body (an object is JSON-encoded, a string is sent raw). */
  httpError?: { status: number; body: unknown; contentType?: string };
  /** Destroy the connection before sending anything (a connection failure before the first byte). */
  destroyConnection?: boolean;
  /** Write the docs/reference/devo-query-api.md §7.2 in-stream error marker of the format after this many rows. */
  errorAfterRows?: number;
  /** Message and status of the in-stream error. @default 'Error Processing Query: scripted', 500 */
  errorMessage?: string;
  errorStatus?: number;
  /** For json/simple/compact: use `{"e":{"msg":…}}` instead of `{"e":[status,msg]}`. */
  errorObjectShape?: boolean;
  /** Cut the response after this many rows, in the middle of the next line (or the closing of a JSON document). */
  truncateAfterRows?: number;
  /** `socket` destroys the connection (no final chunk); `end` ends the response cleanly. @default 'socket' */
  truncateMode?: 'socket' | 'end';
  /**
   * Write a keep-alive (docs/reference/devo-query-api.md §6) before the line of these indexes: 0 = before the first line (metadata
   * or header), `k` = before row `k` (1-based position after the head), `rows + 1` = at the end.
   */
  keepAliveAt?: readonly number[];
  /** Keep-alives written at each position. @default 1 */
  keepAliveRepeat?: number;
  /** Wait this long before answering (ms). */
  delayMs?: number;
}

/** A request as the fake server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, decoded as UTF-8. */
  body: string;
}

/** Options of {@link startFakeQueryServer}. */
export interface FakeQueryServerOptions {
  /**
   * Accepted credentials. When omitted, any `Bearer`/`jwt` credential and any API key are
   * accepted (signatures cannot be verified without secrets), but a request without auth still gets 401.
   */
  auth?: { tokens?: readonly string[]; jwts?: readonly string[]; apiKeys?: Readonly<Record<string, string>> };
  /** Tables of the default engine and of `GET /search/table/{t}`. */
  tables?: Readonly<Record<string, FakeTable>>;
  /** Saved queries by id, for `queryId`. */
  savedQueries?: Readonly<Record<string, string>>;
  /** Replaces the default engine (`from TABLE [select a, b]`). */
  engine?: QueryEngine;
  /** Idle time before a keep-alive is written (docs/reference/devo-query-api.md §6 interval is [?]). @default 5000 */
  keepAliveIntervalMs?: number;
  /** Rows between two progress lines when `progressInfo` is set. @default 1000 */
  progressEveryRows?: number;
  /** Clock for relative dates, `timestamp` fields and jobs. @default Date.now */
  now?: () => number;
  /** Output characters buffered before a write. @default 16384 */
  writeBufferBytes?: number;
  /** Port to listen on (e.g. a fixed port for a sandbox CLI). @default 0 (ephemeral) */
  port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
}

/** A running fake Query API. */
export interface FakeQueryServer {
  /** Base URL, e.g. `http://127.0.0.1:54321` (no trailing slash). */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Jobs by id (mutable: tests may add jobs). */
  readonly jobs: Map<string, FakeJob>;
  /** Queue behaviours for the next requests, one per request. */
  script(...steps: FakeQueryScript[]): void;
  /** Open query responses (streams still running). */
  readonly openResponses: number;
  close(): Promise<void>;
}

const PRAGMA = /\s+pragma\s+[\w.]+\s*:\s*"(?:[^"\\]|\\.)*"\s*$/i;
const FORMATS = new Set(['json', 'json/compact', 'json/simple', 'json/simple/compact', 'csv', 'tsv']);

/**
 * Removes trailing `pragma k:"v"` clauses (the Python SDK appends them, docs/reference/devo-query-api.md §3).
 *
 * @example
 * ```ts
 * stripPragmas('from t pragma comment.id:"python-sdk-app"'); // 'from t'
 * ```
 */
export function stripPragmas(query: string): string {
  let text = query;
  for (;;) {
    const stripped = text.replace(PRAGMA, '');
    if (stripped === text) return text.trim();
    text = stripped;
  }
}

function ipToInt(value: string): number | string {
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

function intToIp(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** `2022-08-04 10:47:00.000` in UTC (docs/reference/devo-query-api.md §5 csv; `timeZone`/`dateFormat` are not applied by the fake). */
function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2022-08-04T10:47:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

const NEEDS_QUOTES = /[",\t\n\r]/;

/** RFC 4180 quoting: docs/reference/devo-query-api.md leaves csv quoting open ([?]); this is the fake's choice. */
function csvField(value: unknown, separator: string): string {
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

function normalizeValue(value: unknown, type: string, ipAsString: boolean): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'timestamp' && value instanceof Date) return value.getTime();
  if (type === 'ip4') {
    if (ipAsString) return typeof value === 'number' ? intToIp(value) : value;
    return typeof value === 'string' ? ipToInt(value) : value;
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}

class BadParameters extends Error {}

function isIsoLike(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}(T|\s|$)/.test(text.trim());
}

function resolveRequestDate(
  value: unknown,
  name: 'from' | 'to',
  unit: string,
  nowMs: number,
  fromMs?: number,
): number {
  const code = name === 'from' ? '406 : Date from not valid format' : '407 : Date to not valid format';
  if (typeof value === 'number' && Number.isFinite(value)) return unit === 'MILLISECONDS' ? value : value * 1000;
  if (typeof value === 'string') {
    // [I] numeric strings as numbers; ISO text is refused with 406 ([3P]).
    if (/^\d+$/.test(value.trim())) return unit === 'MILLISECONDS' ? Number(value) : Number(value) * 1000;
    if (isIsoLike(value)) throw new BadParameters(code);
    const evaluated = evaluateDevoDate(value, nowMs, name, fromMs);
    if (evaluated !== undefined) return evaluated;
  }
  throw new BadParameters(code);
}

function matchesSecret(expected: string, actual: string): boolean {
  const left = Buffer.from(expected);
  const right = Buffer.from(actual);
  return left.length === right.length && timingSafeEqual(left, right);
}

function createDefaultEngine(tables: Readonly<Record<string, FakeTable>>): QueryEngine {
  return (request) => {
    const text = request.query ?? '';
    const match = /^from\s+([\w.]+)(?:\s+select\s+([\s\S]+))?$/i.exec(text.trim());
    if (match === null) {
      throw new QueryLaunchError(
        `com.devo.malote.syntax.ParseException: the fake's default engine only runs "from TABLE [select a, b]", got: ${text.slice(0, 200)}`,
      );
    }
    const tableName = match[1]!;
    const table = tables[tableName];
    if (table === undefined) {
      throw new QueryLaunchError(`Table not found: ${tableName}`, { position: text.indexOf(tableName) });
    }
    const names = table.columns.map((column) => column.name);
    let picks = names.map((_, index) => index);
    if (match[2] !== undefined) {
      picks = match[2].split(',').map((item) => {
        const name = item.trim();
        const index = names.indexOf(name);
        if (index < 0) throw new QueryLaunchError(`Unknown field: ${name}`, { position: text.indexOf(name) });
        return index;
      });
    }
    const eventdate = names.indexOf('eventdate');
    const { from, to } = request;
    async function* rows(): AsyncGenerator<unknown[]> {
      const source = typeof table!.rows === 'function' ? table!.rows() : table!.rows;
      for await (const raw of source as AsyncIterable<unknown> | Iterable<unknown>) {
        const row: unknown[] = Array.isArray(raw) ? (raw as unknown[]) : names.map((name) => (raw as Record<string, unknown>)[name]);
        if (eventdate >= 0) {
          const cell = row[eventdate];
          const ms = cell instanceof Date ? cell.getTime() : Number(cell);
          if (!(ms >= from) || (to !== undefined && !(ms < to))) continue;
        }
        yield picks.length === row.length && picks.every((value, index) => value === index) ? row : picks.map((index) => row[index]);
      }
    }
    return Promise.resolve({ columns: picks.map((index) => table.columns[index]!), rows: rows() });
  };
}

/**
 * Starts the fake Query API on 127.0.0.1 with an ephemeral port.
 *
 * @example
 * ```ts
 * const server = await startFakeQueryServer({
 *   auth: { tokens: ['t0k3n'] },
 *   tables: { 'demo.ecommerce.data': { columns: [{ name: 'eventdate', type: 'timestamp' }], rows: [[1704067200000]] } },
 * });
 * const client = createQueryClient({ url: server.url, auth: { type: 'token', token: 't0k3n' } });
 * await server.close();
 * ```
 */
export async function startFakeQueryServer(options: FakeQueryServerOptions = {}): Promise<FakeQueryServer> {
  const now = options.now ?? Date.now;
  const tables = options.tables ?? {};
  const engine = options.engine ?? createDefaultEngine(tables);
  const keepAliveIntervalMs = options.keepAliveIntervalMs ?? 5000;
  const progressEveryRows = options.progressEveryRows ?? 1000;
  const writeBufferBytes = options.writeBufferBytes ?? 16_384;
  const requests: RecordedRequest[] = [];
  const jobs = new Map<string, FakeJob>();
  const scripts: FakeQueryScript[] = [];
  const sockets = new Set<Socket>();
  let cidCounter = 0;
  let jobCounter = 0;
  let open = 0;

  const cid = (): string => (++cidCounter).toString(16).padStart(12, '0');
  const send = (response: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };
  const unauthorized = { error: { code: 401, message: 'Unauthorized' } };
  const badParameters = (message: string): unknown => ({ error: 'Bad parameters', status: 400, object: [message] });

  function authenticate(request: IncomingMessage, body: string): unknown {
    const auth = options.auth;
    const header = request.headers.authorization;
    if (typeof header === 'string') {
      const bearer = /^(?:Bearer|bearer) (.+)$/.exec(header);
      if (bearer !== null) return auth === undefined || auth.tokens?.includes(bearer[1]!) === true ? undefined : unauthorized;
      const jwt = /^jwt (.+)$/.exec(header);
      if (jwt !== null) return auth === undefined || auth.jwts?.includes(jwt[1]!) === true ? undefined : unauthorized;
      return unauthorized;
    }
    const apiKey = request.headers['x-logtrust-apikey'];
    const sign = request.headers['x-logtrust-sign'];
    const timestamp = request.headers['x-logtrust-timestamp'];
    if (typeof apiKey !== 'string' || typeof sign !== 'string' || typeof timestamp !== 'string') return unauthorized;
    if (auth === undefined) return undefined;
    const secret = auth.apiKeys?.[apiKey];
    if (secret === undefined) return unauthorized;
    if (!matchesSecret(signRequest(apiKey, secret, body, timestamp), sign)) {
      return { error: { code: 12, message: 'Invalid signature validation' } };
    }
    return undefined;
  }

  function envelope(object: unknown): unknown {
    return { status: 0, cid: cid(), timestamp: now(), object };
  }

  function handleJobs(response: ServerResponse, path: string): void {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent); // search, job(s), ...
    if (parts[1] === 'jobs') {
      const list = [...jobs.values()].filter((job) => parts[2] === undefined || job.type === parts[2]);
      send(response, 200, envelope(list));
      return;
    }
    const action = parts.length === 4 ? parts[2] : undefined;
    const id = parts.length === 4 ? parts[3]! : parts[2]!;
    const job = jobs.get(id);
    // [I] the HTTP status of task errors is not documented; the body is [C].
    if (job === undefined) {
      send(response, 404, { msg: 'Task not found', status: 100, timestamp: now(), cid: cid() });
      return;
    }
    const target = action === 'stop' ? 'STOPPED' : action === 'start' ? 'RUNNING' : action === 'remove' ? 'REMOVED' : undefined;
    if (action !== undefined && target === undefined) {
      send(response, 404, { msg: `Unknown job operation ${action}`, status: 404, timestamp: now(), cid: cid() });
      return;
    }
    if (target !== undefined) {
      if (job.status === target || job.status === 'REMOVED') {
        send(response, 400, { msg: `Task ${id} cannot change status from ${job.status} to ${target}`, status: 101, timestamp: now(), cid: cid() });
        return;
      }
      job.status = target;
      if (target === 'REMOVED') jobs.delete(id);
    }
    send(response, 200, envelope({ ...job }));
  }

  async function handleQuery(request: IncomingMessage, response: ServerResponse, raw: string, step: FakeQueryScript | undefined): Promise<void> {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      send(response, 400, badParameters('400 : Body is not a JSON object'));
      return;
    }
    const nowMs = now();
    const unit = body.timeUnit === 'MILLISECONDS' ? 'MILLISECONDS' : 'SECONDS';
    let fromMs: number;
    let toMs: number | undefined;
    try {
      if (body.from === undefined || body.from === null) throw new BadParameters('405 : Missing date from');
      fromMs = resolveRequestDate(body.from, 'from', unit, nowMs);
      // `to: null` is "absent" (the Python SDK sends it, docs/reference/devo-query-api.md §3).
      toMs = body.to === undefined || body.to === null ? undefined : resolveRequestDate(body.to, 'to', unit, nowMs, fromMs);
      if (toMs !== undefined && fromMs > toMs) throw new BadParameters('408 : Date from is after date to');
      if (typeof body.query !== 'string' && typeof body.queryId !== 'string') throw new BadParameters('400 : query or queryId is required');
    } catch (error) {
      if (error instanceof BadParameters) {
        send(response, 400, badParameters(error.message));
        return;
      }
      throw error;
    }
    const mode = body.mode as { type?: unknown } | undefined;
    const format = mode?.type === undefined ? 'json' : typeof mode.type === 'string' ? mode.type : JSON.stringify(mode.type);
    if (!FORMATS.has(format)) {
      send(response, 400, badParameters(`400 : Unsupported mode ${format} (the fake serves ${[...FORMATS].join(', ')})`));
      return;
    }
    let query = typeof body.query === 'string' ? stripPragmas(body.query) : undefined;
    const queryId = typeof body.queryId === 'string' ? body.queryId : undefined;
    if (query === undefined && queryId !== undefined) query = options.savedQueries?.[queryId];
    const limit = typeof body.limit === 'number' ? body.limit : undefined;
    const offsetValue = body.offset ?? body.skip; // [I] aliases (docs/reference/devo-query-api.md §3)
    const offset = typeof offsetValue === 'number' ? offsetValue : 0;

    if (body.destination !== undefined) {
      const destination = body.destination as { type?: unknown };
      const id = `00000000-0000-4000-8000-${(++jobCounter).toString(16).padStart(12, '0')}`;
      jobs.set(id, {
        id,
        status: 'RUNNING',
        type: typeof destination.type === 'string' ? destination.type : 'unknown',
        friendlyName: `fake-task-${jobCounter}`,
        query: query ?? '',
        eventGenerated: 0,
        eventsSent: 0,
        lastDatetime: nowMs,
        error: [],
        extra: {},
      });
      send(response, 200, envelope({ id }));
      return;
    }

    const controller = new AbortController();
    response.on('close', () => controller.abort());
    if (response.destroyed) controller.abort();
    let result: QueryEngineResult;
    try {
      if (query === undefined) throw new QueryLaunchError(`Saved query not found: ${queryId ?? ''}`);
      const engineRequest: QueryEngineRequest = { query, from: fromMs, body, signal: controller.signal };
      if (queryId !== undefined) engineRequest.queryId = queryId;
      if (toMs !== undefined) engineRequest.to = toMs;
      if (limit !== undefined) engineRequest.limit = limit;
      if (offset > 0) engineRequest.offset = offset;
      if (typeof body.timeZone === 'string') engineRequest.timeZone = body.timeZone;
      result = await engine(engineRequest);
    } catch (error) {
      if (error instanceof QueryLaunchError) {
        const detail = error.position === undefined ? error.message : `${error.message} (at position ${error.position})`;
        send(response, 500, { msg: 'Error Launching Query', status: 500, timestamp: now(), cid: cid(), object: ['Error Launching Query', detail] });
      } else {
        send(response, 500, { timestamp: now(), cid: cid(), error: 'server_error', status: 500 });
      }
      return;
    }
    await streamResult(response, format, body, result, { limit, offset, openEnded: toMs === undefined, step, signal: controller.signal });
  }

  async function streamResult(
    response: ServerResponse,
    format: string,
    body: Record<string, unknown>,
    result: QueryEngineResult,
    context: { limit: number | undefined; offset: number; openEnded: boolean; step: FakeQueryScript | undefined; signal: AbortSignal },
  ): Promise<void> {
    const { columns } = result;
    const { step, signal } = context;
    const ipAsString = body.ipAsString === true;
    const progress = body.progressInfo === true && format === 'json/simple/compact';
    const separator = format === 'tsv' ? '\t' : ',';
    const isCsv = format === 'csv' || format === 'tsv';
    const keepAliveOption = body.keepAlive as { type?: unknown; token?: unknown } | undefined;
    let keepAliveText = '    ';
    if (isCsv) {
      if (keepAliveOption?.type === 'token') keepAliveText = typeof keepAliveOption.token === 'string' ? keepAliveOption.token : '\n';
      else if (keepAliveOption?.type === 'empty') keepAliveText = separator.repeat(Math.max(0, columns.length - 1)) + '\n';
      else keepAliveText = '';
    }
    const lineEnd = isCsv ? '\n' : '\r\n';
    const names = columns.map((column) => column.name);
    const types = columns.map((column) => column.type);
    const timestamp = now();
    const responseCid = cid();
    const errorStatus = step?.errorStatus ?? 500;
    let errorMessage = step?.errorMessage ?? 'Error Processing Query: scripted';
    const contentType = format === 'csv' ? 'text/csv' : format === 'tsv' ? 'text/tab-separated-values' : 'application/json';
    response.writeHead(200, { 'content-type': contentType });
    open++;

    let pending = '';
    let wroteSinceTick = false;
    let flushScheduled = false;
    const flush = (): boolean => {
      flushScheduled = false;
      if (pending === '' || response.destroyed) return true;
      const text = pending;
      pending = '';
      wroteSinceTick = true;
      return response.write(text);
    };
    const waitDrain = (): Promise<void> =>
      new Promise((resolve) => {
        const done = (): void => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    /** Buffers `text`; returns a promise only when the socket needs draining (keeps the hot loop synchronous). */
    const emit = (text: string): Promise<void> | undefined => {
      pending += text;
      if (pending.length >= writeBufferBytes) {
        if (!flush()) return waitDrain();
      } else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
      return undefined;
    };
    const keepAlive = (): string => keepAliveText;
    const ticker = keepAliveText === '' ? undefined : setInterval(() => {
      if (!wroteSinceTick && !response.destroyed) response.write(keepAlive());
      wroteSinceTick = false;
    }, keepAliveIntervalMs);
    const keepAliveAt = new Set(step?.keepAliveAt ?? []);
    const injectAt = (position: number): string => (keepAliveAt.has(position) ? keepAlive().repeat(step?.keepAliveRepeat ?? 1) : '');

    const head = (): string => {
      switch (format) {
        case 'json':
          return `{"msg":"","status":0,"timestamp":${timestamp},"cid":"${responseCid}","object":[`;
        case 'json/compact':
          return `{"msg":"","status":0,"timestamp":${timestamp},"cid":"${responseCid}","object":{${metadataMembers()},"d":[`;
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
    const errorMarker = (): string => {
      switch (format) {
        case 'json':
          return `],"error":${JSON.stringify([errorStatus, errorMessage])}}`;
        case 'json/compact':
          return `],"e":${JSON.stringify([errorStatus, errorMessage])}}}`;
        case 'json/simple/compact':
          return (step?.errorObjectShape === true ? `{"e":${JSON.stringify({ msg: errorMessage })}}` : `{"e":${JSON.stringify([errorStatus, errorMessage])}}`) + lineEnd;
        case 'json/simple':
          return JSON.stringify(['error', errorStatus, errorMessage]) + lineEnd;
        default:
          return ['devo.api.error', String(errorStatus), errorMessage].join(separator) + lineEnd;
      }
    };
    const tail = (): string => (format === 'json' ? ']}' : format === 'json/compact' ? ']}}' : '');

    const isAsync = Symbol.asyncIterator in result.rows;
    const iterator: AsyncIterator<unknown[]> | Iterator<unknown[]> =
      Symbol.asyncIterator in result.rows ? result.rows[Symbol.asyncIterator]() : result.rows[Symbol.iterator]();
    try {
      await emit(injectAt(0) + head());
      if (progress) await emit(`{"p":[${now()}]}${lineEnd}`);
      let skipped = 0;
      let delivered = 0;
      for (;;) {
        if (signal.aborted) return;
        if (step?.errorAfterRows === delivered) {
          await emit(errorMarker());
          flush();
          response.end();
          return;
        }
        if (step?.truncateAfterRows === delivered) {
          const cut = format === 'json' || format === 'json/compact' ? ',[' : format === 'json/simple/compact' ? '{"d":[1' : isCsv ? `"unterminated${separator}` : '{"eventdate":';
          const text = pending + cut;
          pending = '';
          if (step.truncateMode === 'end') {
            response.end(text);
          } else {
            // Let the bytes reach the socket, then drop it: no final chunk, like a crash mid-line.
            await new Promise<void>((resolve) => response.write(text, () => resolve()));
            response.socket?.destroy();
          }
          return;
        }
        if (context.limit !== undefined && delivered >= context.limit) break;
        // Sync sources are read without an await per row (much faster for big in-memory/lazy tables).
        let next: IteratorResult<unknown[]>;
        try {
          next = isAsync ? await (iterator as AsyncIterator<unknown[]>).next() : (iterator as Iterator<unknown[]>).next();
        } catch (error) {
          // The engine failed after the 200 went out: answer as Devo does, with the docs/reference/devo-query-api.md §7.2 marker.
          errorMessage = `Error Processing Query: ${error instanceof Error ? error.message : String(error)}`;
          await emit(errorMarker());
          flush();
          response.end();
          return;
        }
        if (next.done === true) break;
        if (skipped < context.offset) {
          skipped++;
          continue;
        }
        const drained = emit(injectAt(delivered + 1) + encodeRow(next.value, delivered === 0));
        if (drained !== undefined) await drained;
        delivered++;
        if (progress && delivered % progressEveryRows === 0) await emit(`{"p":[${now()}]}${lineEnd}`);
      }
      await emit(injectAt(delivered + 1));
      if (context.openEnded) {
        // A continuous query never ends: idle with keep-alives until the client disconnects (docs/reference/devo-query-api.md §3).
        flush();
        await new Promise<void>((resolve) => {
          if (response.destroyed) resolve();
          else response.once('close', () => resolve());
        });
        return;
      }
      await emit(tail());
      flush();
      response.end();
    } finally {
      if (ticker !== undefined) clearInterval(ticker);
      open--;
      await (iterator as AsyncIterator<unknown[]>).return?.();
    }
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = request.url ?? '/';
      requests.push({ method: request.method ?? '', path: url, headers: { ...request.headers }, body: raw });
      const step = scripts.shift();
      void (async () => {
        if (step?.delayMs !== undefined) {
          // Wait, but no longer than the client does: a long scripted delay leaves no timer behind.
          await new Promise<void>((resolve) => {
            const done = (): void => {
              clearTimeout(timer);
              response.off('close', done);
              resolve();
            };
            const timer = setTimeout(done, step.delayMs);
            response.once('close', done);
          });
        }
        if (response.destroyed || request.socket.destroyed) return; // the client left while we waited
        if (step?.destroyConnection === true) {
          request.socket.destroy();
          return;
        }
        const failure = authenticate(request, raw);
        if (failure !== undefined) {
          send(response, 401, failure);
          return;
        }
        if (step?.httpError !== undefined) {
          send(response, step.httpError.status, step.httpError.body, step.httpError.contentType);
          return;
        }
        const path = url.split('?')[0]!;
        if (request.method === 'POST' && path === '/search/query') {
          await handleQuery(request, response, raw, step);
        } else if (request.method === 'GET' && path.startsWith('/search/table/')) {
          const name = decodeURIComponent(path.slice('/search/table/'.length));
          const table = tables[name];
          if (table === undefined) {
            send(response, 403, { error: `Access not allowed for table '${name}'`, status: 403, timestamp: now(), cid: cid() });
          } else {
            send(response, 200, { cid: cid(), msg: '', object: table.columns.map((column) => ({ fieldName: column.name, type: column.type })), status: 0, timestamp: now() });
          }
        } else if (request.method === 'GET' && (path.startsWith('/search/jobs') || path.startsWith('/search/job/'))) {
          handleJobs(response, path);
        } else {
          send(response, 404, { msg: `Not found: ${request.method ?? ''} ${path}`, status: 404, timestamp: now(), cid: cid() });
        }
      })().catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, { timestamp: now(), cid: cid(), error: 'server_error', status: 500 });
        else response.destroy(error instanceof Error ? error : undefined);
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address, family } = server.address() as AddressInfo;
  return {
    url: `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`,
    requests,
    jobs,
    script: (...steps) => {
      scripts.push(...steps);
    },
    get openResponses() {
      return open;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
