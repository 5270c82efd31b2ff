import got, { RequestError, type Got, type Request as GotRequest } from 'got';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DevoQueryError, QueryHttpError, QueryResponseError, QueryTimeoutError, type QueryTimeoutKind } from './errors';
import { resolveQueryDate, type QueryDate } from './dates';
import { signRequest } from './internal/sign';
import {
  QUERY_FORMATS,
  ResponseParser,
  type QueryColumn,
  type QueryFormat,
  type QueryProgress,
} from './internal/response-parser';
import { VERSION } from './version';

export type { QueryColumn, QueryFormat, QueryProgress };

/**
 * How requests authenticate (docs/reference/devo-query-api.md §2): a token (`Authorization: Bearer <token>`), a JWT
 * (`Authorization: jwt <jwt>`), or an API key and secret (HMAC-SHA256 signature of each request).
 *
 * @example
 * ```ts
 * const auth: QueryAuth = { type: 'apiKey', apiKey: 'key', apiSecret: 'secret' };
 * ```
 */
export type QueryAuth =
  | { type: 'token'; token: string }
  | { type: 'jwt'; jwt: string }
  | { type: 'apiKey'; apiKey: string; apiSecret: string };

/** Retries of connection failures (and, for the GET endpoints, of 429/5xx). */
export interface QueryRetryOptions {
  /** Retries after the first attempt. @default 2 */
  limit?: number;
  /** Delay before retry `n` is `min(maxDelayMs, baseDelayMs × 2^(n-1))` (no jitter: deterministic). @default 1000 */
  baseDelayMs?: number;
  /** Upper bound of a delay, also of an honoured `Retry-After`. @default 30000 */
  maxDelayMs?: number;
  /** Called before each retry. */
  onRetry?: (event: { attempt: number; delayMs: number; request: string; error: DevoQueryError }) => void;
}

/** Options of {@link createQueryClient}. */
export interface QueryClientOptions {
  /**
   * Base URL of the Query API (`https://apiv2-eu.devo.com`) or the full query URL
   * (`https://apiv2-eu.devo.com/search/query`), with or without a trailing slash.
   */
  url: string;
  auth: QueryAuth;
  /** Idle timeout per request: the longest silence on the socket; keep-alives reset it (like the Python SDK's socket read). Also bounds connecting (at most 30 s). @default 300000 */
  timeoutMs?: number;
  /**
   * Deadline of one call, in milliseconds: a query from its request until its last row is read
   * (retries and their waits included), or one JSON request. Bytes that keep arriving (rows,
   * keep-alives) do not extend it. @default undefined (no deadline: queries may run long)
   */
  totalTimeoutMs?: number;
  /** @default `@dga/devo-query/<VERSION>` */
  userAgent?: string;
  /** @default { limit: 2, baseDelayMs: 1000, maxDelayMs: 30000 } */
  retry?: QueryRetryOptions;
  /** Clock in epoch ms, for relative dates, the API-key timestamp and the `totalTimeoutMs` budget between retries. @default Date.now */
  now?: () => number;
}

/** Options of {@link QueryClient.query}. Give exactly one of `query` and `queryId`. */
export interface QueryOptions {
  /** LINQ text, e.g. `from demo.ecommerce.data select eventdate, method`. */
  query?: string;
  /** Id of a saved query. */
  queryId?: string;
  /** Start (inclusive): a `Date`, epoch ms, or a string (see `resolveQueryDate`). */
  from: QueryDate;
  /** End (exclusive). Omitted = a continuous query that never ends for streaming formats; json and json/compact use "now" instead (as the Python SDK does). */
  to?: QueryDate;
  /** @default 'json/simple/compact' */
  format?: QueryFormat;
  /** Maximum rows returned. */
  limit?: number;
  /** Rows skipped first (sent as `offset`, the Python SDK's name). */
  offset?: number;
  /** e.g. `GMT+2`: shifts day-aligned relative dates and text timestamps. */
  timeZone?: string;
  /** ip4 values as `a.b.c.d` strings instead of integers. */
  ipAsString?: boolean;
  /**
   * csv/tsv keep-alives (docs/reference/devo-query-api.md §6). The client strips them; choose a `token` that can never begin a
   * row, since a row starting with it would lose that prefix.
   */
  keepAlive?: { type: 'token'; token?: string } | { type: 'empty' };
  /**
   * Ask for progress lines; they reach `onProgress`. Only json/simple/compact carries them (the
   * official Node.js SDK also sends the flag with json/compact, where it has no visible effect).
   */
  progressInfo?: boolean;
  signal?: AbortSignal;
  /** `object` rows keyed by column name, or `array` rows in `columns` order. @default 'object' */
  rowShape?: 'object' | 'array';
  /**
   * How `timestamp` columns come back in formats with metadata (json/compact and
   * json/simple/compact): epoch ms numbers as sent, or `Date` objects. Formats without metadata
   * keep what the server sends (epoch ms in JSON, text in csv/tsv). @default 'epoch-ms'
   */
  timestamps?: 'epoch-ms' | 'date';
  /** Progress marks (needs `progressInfo: true`). */
  onProgress?: (event: QueryProgress) => void;
}

/**
 * The rows of one query, as an async iterable that can be iterated once. The request starts on
 * the first `next()`; leaving the loop early (`break`) closes the connection.
 */
export interface QueryStream<Row = Record<string, unknown>> extends AsyncIterable<Row> {
  /** Columns, once the metadata or header has been read (rejects if the query fails first). */
  readonly columns: Promise<QueryColumn[]>;
  /** Rows delivered so far. */
  readonly rowCount: number;
}

/** A job (task) of a query sent with `destination` (docs/reference/devo-query-api.md §8). */
export interface QueryJob {
  id: string;
  status: string;
  type?: string;
  friendlyName?: string;
  query?: string;
  eventGenerated?: number;
  eventsSent?: number;
  lastDatetime?: number;
  error?: unknown[];
  extra?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A column of a table, from `GET /search/table/{table}`. */
export interface TableField {
  name: string;
  type: string;
}

/** Options shared by the small JSON endpoints. */
export interface RequestOptions {
  signal?: AbortSignal;
}

/** What {@link createQueryClient} returns. */
export interface QueryClient {
  /** Runs a query and streams its rows. */
  query(options: QueryOptions & { rowShape?: 'object' }): QueryStream<Record<string, unknown>>;
  query(options: QueryOptions & { rowShape: 'array' }): QueryStream<unknown[]>;
  query(options: QueryOptions): QueryStream<Record<string, unknown> | unknown[]>;
  /** Columns of a table (`GET /search/table/{table}`). */
  tableSchema(table: string, options?: RequestOptions): Promise<TableField[]>;
  /** Jobs, optionally of one type (`GET /search/jobs[/{type}]`). */
  jobs(type?: string, options?: RequestOptions): Promise<QueryJob[]>;
  job(id: string, options?: RequestOptions): Promise<QueryJob>;
  stopJob(id: string, options?: RequestOptions): Promise<QueryJob>;
  startJob(id: string, options?: RequestOptions): Promise<QueryJob>;
  removeJob(id: string, options?: RequestOptions): Promise<QueryJob>;
}

const BODY_LIMIT = 64 * 1024;
const CAUSE_LIMIT = 2000;
/** Connection failures: the server never answered, so retrying cannot duplicate an effect we see. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
]);
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * Accepts `https://host`, `https://host/`, `https://host/search/query` and
 * `https://host/search/query/` (also with a path prefix), and returns the base without a slash.
 */
export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTIONS', `Invalid query client option "url": ${JSON.stringify(url.slice(0, 200))} is not an absolute URL; pass e.g. "https://apiv2-eu.devo.com".`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTIONS', `Invalid query client option "url": protocol ${parsed.protocol} is not http: or https:.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTIONS', 'Invalid query client option "url": credentials in the URL are not supported; use the "auth" option.');
  }
  let path = parsed.pathname.replace(/\/+$/, '');
  if (path.endsWith('/search/query')) path = path.slice(0, -'/search/query'.length);
  return `${parsed.origin}${path}`;
}

/** The docs/reference/devo-query-api.md §7.1 extraction rule, extended to keep the detail of `object` when `msg` is generic. */
export function extractServerError(status: number, text: string): { message: string; code: number | string | undefined; cid: string | undefined; timestamp: number | undefined } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { message: `Error code ${status} while invoking query`, code: undefined, cid: undefined, timestamp: undefined };
  }
  const record = body as Record<string, unknown>;
  const error = record.error;
  const errorRecord = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined;
  const details = Array.isArray(record.object) ? record.object.map(String) : undefined;
  let message: string;
  if (typeof record.msg === 'string' && record.msg !== '') message = record.msg;
  else if (typeof error === 'string') message = error;
  else if (typeof errorRecord?.message === 'string') message = errorRecord.message;
  else if (details !== undefined && details.length > 0) message = details.join(': ');
  else message = 'Error Launching Query';
  if (details !== undefined && details.length > 0 && message !== details.join(': ')) {
    const extra = details.filter((detail) => detail !== message);
    if (extra.length > 0) message = `${message}: ${extra.join(': ')}`;
  }
  // Task errors (docs/reference/devo-query-api.md §8) carry their code in `status` (100 not found, 101 cannot change status);
  // elsewhere `status` only repeats the HTTP status.
  const taskCode = typeof record.status === 'number' && record.status !== status && record.status !== 0 ? record.status : undefined;
  const rawCode = record.code ?? errorRecord?.code ?? taskCode;
  return {
    message,
    code: typeof rawCode === 'number' || typeof rawCode === 'string' ? rawCode : undefined,
    cid: typeof record.cid === 'string' ? record.cid : undefined,
    timestamp: typeof record.timestamp === 'number' ? record.timestamp : undefined,
  };
}

function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters)` : text;
}

function httpError(status: number, text: string, request: string): QueryHttpError {
  const extracted = extractServerError(status, text);
  const hint =
    status === 401 || status === 403
      ? 'Check the credentials, their region (URL) and the table permissions of the token.'
      : status === 400
        ? 'Check from/to (no ISO-8601 text; from must be before to) and the other query options.'
        : status >= 500
          ? 'Check the LINQ query; if it is valid, retry later and quote the cid to Devo support.'
          : 'Check the request options.';
  const cid = extracted.cid === undefined ? '' : ` (cid ${extracted.cid})`;
  const code = extracted.code === undefined ? '' : ` [code ${extracted.code}]`;
  return new QueryHttpError(`${request} failed with HTTP ${status}${code}: ${extracted.message}${cid}. ${hint}`, {
    status,
    serverCode: extracted.code,
    cid: extracted.cid,
    timestamp: extracted.timestamp,
    serverMessage: extracted.message,
    request,
    cause: truncate(text, CAUSE_LIMIT),
  });
}

/** A copy of a got/Node error without its options (which hold the auth headers). */
function sanitize(error: unknown): Error {
  const source = error as { name?: unknown; code?: unknown; message?: unknown };
  // One line: OpenSSL's messages end with a newline.
  const copy = new Error((typeof source.message === 'string' ? source.message : String(error)).replace(/\s*\n\s*/g, ' ').trim());
  copy.name = typeof source.name === 'string' ? source.name : 'Error';
  if (typeof source.code === 'string') (copy as Error & { code: string }).code = source.code;
  return copy;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error as { name?: unknown }).name === 'AbortError';
}

function abortError(request: string, signal: AbortSignal | undefined): DevoQueryError {
  return new DevoQueryError('ERR_QUERY_ABORTED', `${request} was aborted by its AbortSignal.`, {
    request,
    cause: signal?.reason instanceof Error ? sanitize(signal.reason) : undefined,
  });
}

/** The timeouts of a client, for error messages: idle, connect, and the optional total. */
interface Timeouts {
  idleMs: number;
  connectMs: number;
  totalMs: number | undefined;
}

/** Which of our timeouts a got `TimeoutError.event` is (`request` is got's name for the total one). */
function timeoutKind(event: unknown): QueryTimeoutKind {
  if (event === 'request') return 'total';
  if (event === 'lookup' || event === 'connect' || event === 'secureConnect') return 'connect';
  return 'idle';
}

function timeoutError(kind: QueryTimeoutKind, request: string, timeouts: Timeouts, cause: Error | undefined): QueryTimeoutError {
  const timeoutMs = kind === 'total' ? (timeouts.totalMs ?? 0) : kind === 'connect' ? timeouts.connectMs : timeouts.idleMs;
  const message =
    kind === 'total'
      ? `${request}: not finished within ${timeoutMs} ms (total timeout, which arriving data does not extend). Raise "totalTimeoutMs", or narrow the query's time range.`
      : kind === 'idle'
        ? `${request}: no data for ${timeoutMs} ms (socket timeout). Raise "timeoutMs" for slow queries, read rows faster, or check the network.`
        : `${request}: no connection within ${timeoutMs} ms (connect timeout). Check the URL, DNS and network.`;
  return new QueryTimeoutError(message, { request, kind, timeoutMs, cause });
}

/**
 * Translates a got/Node error into ours. `started` = the response had begun. Anything else
 * (e.g. an exception thrown by the caller's `onProgress`) is returned unchanged.
 */
function translate(error: unknown, request: string, signal: AbortSignal | undefined, started: boolean, timeouts: Timeouts): unknown {
  if (DevoQueryError.isInstance(error)) return error;
  if (isAbort(error, signal)) return abortError(request, signal);
  if (!(error instanceof RequestError) && typeof (error as { code?: unknown } | null)?.code !== 'string') return error;
  const source = error as { name?: unknown; code?: unknown; event?: unknown };
  const cause = sanitize(error);
  if (source.name === 'TimeoutError' || source.code === 'ETIMEDOUT') return timeoutError(timeoutKind(source.event), request, timeouts, cause);
  if (started) {
    return new QueryResponseError(
      'ERR_QUERY_TRUNCATED',
      `${request}: the connection closed before the response ended (${cause.message}). Retry the query, or narrow its time range.`,
      { request, cause },
    );
  }
  const origin = httpsOriginOf(error);
  if (origin !== undefined && /wrong.version.number|packet.length.too.long|http.request/i.test(cause.message)) {
    return new DevoQueryError(
      'ERR_QUERY_NETWORK',
      `${request}: the server at ${origin} does not speak HTTPS; use http://${origin.slice('https://'.length)}`,
      { request, cause },
    );
  }
  return new DevoQueryError('ERR_QUERY_NETWORK', `${request}: connection failed (${cause.message}). Check the URL, DNS and network.`, { request, cause });
}

/** `https://host:port` of the request a got error belongs to (no credentials, path or query), if it was HTTPS. */
function httpsOriginOf(error: unknown): string | undefined {
  const url = (error as { options?: { url?: unknown } }).options?.url;
  if (!(url instanceof URL) || url.protocol !== 'https:') return undefined;
  return `https://${url.host}`;
}

function isConnectionFailure(error: DevoQueryError): boolean {
  if (error instanceof QueryTimeoutError) return error.kind === 'connect';
  if (error.code !== 'ERR_QUERY_NETWORK') return false;
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  return typeof cause?.code === 'string' && CONNECTION_CODES.has(cause.code);
}

function invalidOption(name: string, detail: string): DevoQueryError {
  return new DevoQueryError('ERR_QUERY_INVALID_OPTIONS', `Invalid query option "${name}": ${detail}`);
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw invalidOption(name, `${String(value)} is not a non-negative integer.`);
  }
}

/** Builds the request body of docs/reference/devo-query-api.md §3, omitting absent fields. Exported for tests. */
export function buildQueryBody(options: QueryOptions, nowMs: number): Record<string, unknown> {
  const hasQuery = typeof options.query === 'string' && options.query.trim() !== '';
  const hasId = typeof options.queryId === 'string' && options.queryId !== '';
  if (hasQuery === hasId) throw invalidOption('query', 'give exactly one of "query" (LINQ text) and "queryId".');
  if ((options.from as unknown) === undefined) throw invalidOption('from', 'is required (e.g. "now() - 1h", a Date, or epoch ms).');
  const format = options.format ?? 'json/simple/compact';
  if (!QUERY_FORMATS.includes(format)) {
    throw invalidOption('format', `${JSON.stringify(format)} is not supported; use one of ${QUERY_FORMATS.join(', ')}.`);
  }
  checkCount('limit', options.limit);
  checkCount('offset', options.offset);
  if (options.keepAlive !== undefined && format !== 'csv' && format !== 'tsv') {
    throw invalidOption('keepAlive', `only applies to csv and tsv (JSON formats always pad with spaces); remove it for ${format}.`);
  }
  const from = resolveQueryDate(options.from, 'from', nowMs);
  let to = options.to === undefined ? undefined : resolveQueryDate(options.to, 'to', nowMs);
  // Whole-document formats only end when the query does: without `to` they would never answer,
  // so use "now" as the Python SDK does ([C], docs/reference/devo-query-api.md §4).
  if (to === undefined && (format === 'json' || format === 'json/compact')) to = Math.floor(nowMs / 1000);
  if (typeof from === 'number' && typeof to === 'number' && from > to) {
    throw invalidOption('from', `${from} is after "to" ${to} (epoch seconds); the server would answer 400 (408).`);
  }
  const body: Record<string, unknown> = {};
  if (hasQuery) body.query = options.query;
  else body.queryId = options.queryId;
  body.from = from;
  if (to !== undefined) body.to = to;
  body.mode = { type: format };
  if (options.limit !== undefined) body.limit = options.limit;
  if (options.offset !== undefined) body.offset = options.offset;
  if (options.timeZone !== undefined) body.timeZone = options.timeZone;
  if (options.ipAsString !== undefined) body.ipAsString = options.ipAsString;
  if (options.keepAlive !== undefined) body.keepAlive = options.keepAlive;
  if (options.progressInfo !== undefined) body.progressInfo = options.progressInfo;
  return body;
}

/**
 * Creates a Devo Query API client. `now` defaults to `Date.now`, taken once here at the boundary
 * (the library itself never reads the clock).
 *
 * @example
 * ```ts
 * const client = createQueryClient({ url: 'https://apiv2-eu.devo.com', auth: { type: 'token', token } });
 * for await (const row of client.query({ query: 'from demo.ecommerce.data select eventdate, method', from: 'now() - 1h', to: 'now()' })) {
 *   console.log(row.eventdate, row.method);
 * }
 * ```
 */
export function createQueryClient(options: QueryClientOptions): QueryClient {
  const baseUrl = normalizeBaseUrl(options.url);
  const auth = options.auth;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const totalTimeoutMs = options.totalTimeoutMs;
  const timeouts: Timeouts = { idleMs: timeoutMs, connectMs: Math.min(timeoutMs, 30_000), totalMs: totalTimeoutMs };
  const now = options.now ?? Date.now;
  const retryLimit = options.retry?.limit ?? 2;
  const baseDelayMs = options.retry?.baseDelayMs ?? 1000;
  const maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
  const onRetry = options.retry?.onRetry;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new DevoQueryError('ERR_QUERY_INVALID_OPTIONS', `Invalid query client option "timeoutMs": ${timeoutMs} is not a positive number of milliseconds.`);
  if (totalTimeoutMs !== undefined && !(Number.isFinite(totalTimeoutMs) && totalTimeoutMs > 0)) {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTIONS', `Invalid query client option "totalTimeoutMs": ${totalTimeoutMs} is not a positive number of milliseconds.`);
  }
  if (auth.type === 'token' ? auth.token === '' : auth.type === 'jwt' ? auth.jwt === '' : auth.apiKey === '' || auth.apiSecret === '') {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTIONS', `Invalid query client option "auth": the ${auth.type} credentials are empty.`);
  }
  const http: Got = got.extend({
    prefixUrl: `${baseUrl}/`,
    headers: { 'user-agent': options.userAgent ?? `@dga/devo-query/${VERSION}` },
    // got's own retry is off: ours retries only what is safe (see `withRetries`).
    retry: { limit: 0 },
    // An idle timeout (reset by any bytes, keep-alives included), not a total one: queries run long.
    // Connecting gets its own bound (the socket timer only starts once connected).
    timeout: { socket: timeouts.idleMs, lookup: timeouts.connectMs, connect: timeouts.connectMs },
    throwHttpErrors: false,
    followRedirect: false,
  });

  function authHeaders(body: string): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth.type === 'token') headers.authorization = `Bearer ${auth.token}`;
    else if (auth.type === 'jwt') headers.authorization = `jwt ${auth.jwt}`;
    else {
      const timestamp = String(Math.trunc(now()));
      headers['x-logtrust-apikey'] = auth.apiKey;
      headers['x-logtrust-timestamp'] = timestamp;
      headers['x-logtrust-sign'] = signRequest(auth.apiKey, auth.apiSecret, body, timestamp);
    }
    return headers;
  }

  /** When a call started now must end (epoch ms of `now`), or infinity without `totalTimeoutMs`. */
  function deadlineFromNow(): number {
    return totalTimeoutMs === undefined ? Number.POSITIVE_INFINITY : now() + totalTimeoutMs;
  }

  /** got's `request` timeout for an attempt: what is left of the deadline (got ends the request when it runs out). */
  function remainingTimeout(deadline: number): { timeout?: { request: number } } {
    return Number.isFinite(deadline) ? { timeout: { request: Math.max(1, deadline - now()) } } : {};
  }

  async function withRetries<T>(
    request: string,
    signal: AbortSignal | undefined,
    deadline: number,
    attempt: () => Promise<T>,
    retryStatus: boolean,
  ): Promise<T> {
    for (let number = 1; ; number++) {
      if (signal?.aborted === true) throw abortError(request, signal);
      if (now() >= deadline) throw timeoutError('total', request, timeouts, undefined);
      try {
        return await attempt();
      } catch (error) {
        const failure = translate(error, request, signal, false, timeouts);
        if (!DevoQueryError.isInstance(failure)) throw failure;
        const retriable =
          isConnectionFailure(failure) || (retryStatus && failure instanceof QueryHttpError && RETRY_STATUSES.has(failure.status));
        if (!retriable || number > retryLimit || failure.code === 'ERR_QUERY_ABORTED') throw failure;
        let delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (number - 1));
        const retryAfter = (failure as { retryAfterMs?: number }).retryAfterMs;
        if (retryAfter !== undefined) delayMs = Math.min(maxDelayMs, retryAfter);
        // No time left for another attempt after the wait: give up with what failed.
        if (now() + delayMs >= deadline) throw failure;
        onRetry?.({ attempt: number, delayMs, request, error: failure });
        try {
          await sleep(delayMs, undefined, signal === undefined ? {} : { signal });
        } catch {
          throw abortError(request, signal);
        }
      }
    }
  }

  async function readText(stream: AsyncIterable<unknown>, limit: number): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      size += buffer.length;
      if (size >= limit) break;
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Opens `POST /search/query` and resolves once a 200 response has begun. */
  async function openQuery(body: string, signal: AbortSignal | undefined, deadline: number): Promise<GotRequest> {
    const request = 'POST /search/query';
    // A query is a POST but semantically a read: it opts in to retries here, and only for
    // connection failures before the first response byte (never once data has flowed, never on
    // HTTP errors), like the Python SDK (docs/reference/devo-query-api.md §10).
    return withRetries(
      request,
      signal,
      deadline,
      async () => {
        const stream = http.stream.post('search/query', {
          body,
          headers: authHeaders(body),
          ...remainingTimeout(deadline),
          ...(signal === undefined ? {} : { signal }),
        });
        const response = await new Promise<IncomingMessage>((resolve, reject) => {
          stream.once('response', resolve);
          stream.once('error', reject);
        });
        if (response.statusCode !== 200) {
          let text: string;
          try {
            text = await readText(stream, BODY_LIMIT);
          } finally {
            stream.destroy();
          }
          throw httpError(response.statusCode ?? 0, text, request);
        }
        return stream;
      },
      false,
    );
  }

  function query(queryOptions: QueryOptions): QueryStream<never> {
    const body = buildQueryBody(queryOptions, now());
    const bodyText = JSON.stringify(body);
    const format = (body.mode as { type: QueryFormat }).type;
    const signal = queryOptions.signal;
    let resolveColumns: (columns: QueryColumn[]) => void = () => {};
    let rejectColumns: (error: unknown) => void = () => {};
    const columns = new Promise<QueryColumn[]>((resolve, reject) => {
      resolveColumns = resolve;
      rejectColumns = reject;
    });
    columns.catch(() => {}); // the iterator reports the error; unread `columns` must not be an unhandled rejection
    let iterated = false;
    let rowCount = 0;
    const keepAliveToken = queryOptions.keepAlive?.type === 'token' ? queryOptions.keepAlive.token : undefined;

    async function* rows(): AsyncGenerator<never> {
      const request = 'POST /search/query';
      const parser = new ResponseParser(format, {
        rowShape: queryOptions.rowShape ?? 'object',
        timestamps: queryOptions.timestamps ?? 'epoch-ms',
        keepAliveToken,
        onColumns: resolveColumns,
        onProgress: queryOptions.onProgress,
      });
      let stream: GotRequest | undefined;
      try {
        stream = await openQuery(bodyText, signal, deadlineFromNow());
        try {
          for await (const chunk of stream) {
            parser.write(chunk as Buffer);
            if (parser.rows.length > 0) {
              for (const row of parser.takeRows()) {
                // A chunk holds many rows: notice an abort between them, not only at the next chunk.
                if (signal?.aborted === true) throw abortError(request, signal);
                rowCount++;
                yield row as never;
              }
            }
            if (parser.error !== undefined) throw parser.error;
          }
        } catch (error) {
          throw translate(error, request, signal, true, timeouts);
        }
        // got ends the stream without an error when the server closes a response that had no
        // length and no chunked framing; the parser then decides whether the body was complete.
        parser.end();
        for (const row of parser.takeRows()) {
          rowCount++;
          yield row as never;
        }
        if (parser.error !== undefined) throw parser.error;
        resolveColumns([]);
      } catch (error) {
        const failure = translate(error, request, signal, stream !== undefined, timeouts);
        rejectColumns(failure);
        throw failure;
      } finally {
        stream?.destroy();
      }
    }

    return {
      columns,
      get rowCount() {
        return rowCount;
      },
      [Symbol.asyncIterator]() {
        if (iterated) {
          throw new DevoQueryError('ERR_QUERY_INVALID_OPTIONS', 'A QueryStream can be iterated only once; call client.query() again for a new run.');
        }
        iterated = true;
        return rows();
      },
    };
  }

  async function getJson(path: string, request: string, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
    const deadline = deadlineFromNow();
    return withRetries(
      request,
      signal,
      deadline,
      async () => {
        const response = await http.get(path, {
          headers: authHeaders(''),
          responseType: 'text',
          ...remainingTimeout(deadline),
          ...(signal === undefined ? {} : { signal }),
        });
        if (response.statusCode !== 200) {
          const error = httpError(response.statusCode, response.body, request);
          const retryAfter = response.headers['retry-after'];
          if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) Object.assign(error, { retryAfterMs: Number(retryAfter) * 1000 });
          throw error;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(response.body);
        } catch {
          throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: the body is not JSON: ${truncate(response.body, 200)}`, { request });
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: the body is not a JSON object: ${truncate(response.body, 200)}`, { request });
        }
        const record = parsed as Record<string, unknown>;
        if (typeof record.status === 'number' && record.status !== 0) throw httpError(response.statusCode, response.body, request);
        return record;
      },
      // GETs are idempotent: 429 and 5xx are retried too.
      true,
    );
  }

  function readJob(value: unknown, request: string): QueryJob {
    if (typeof value !== 'object' || value === null || typeof (value as { id?: unknown }).id !== 'string') {
      throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: "object" is not a job with an "id": ${truncate(JSON.stringify(value) ?? 'undefined', 200)}`, { request });
    }
    return value as QueryJob;
  }

  function jobCall(action: string | undefined) {
    return async (id: string, requestOptions: RequestOptions = {}): Promise<QueryJob> => {
      if (typeof id !== 'string' || id === '') throw invalidOption('id', 'a job id is required.');
      const path = action === undefined ? `search/job/${encodeURIComponent(id)}` : `search/job/${action}/${encodeURIComponent(id)}`;
      const request = `GET /${path}`;
      const body = await getJson(path, request, requestOptions.signal);
      return readJob(body.object, request);
    };
  }

  return {
    query,
    async tableSchema(table, requestOptions = {}) {
      if (typeof table !== 'string' || table.trim() === '') throw invalidOption('table', 'a table name such as "demo.ecommerce.data" is required.');
      const path = `search/table/${encodeURIComponent(table)}`;
      const request = `GET /${path}`;
      const body = await getJson(path, request, requestOptions.signal);
      const fields = body.object;
      if (!Array.isArray(fields)) throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: "object" is not an array of fields.`, { request });
      return fields.map((field: unknown) => {
        const record = field as { fieldName?: unknown; type?: unknown } | null;
        if (typeof record?.fieldName !== 'string' || typeof record.type !== 'string') {
          throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: a field lacks "fieldName"/"type": ${truncate(JSON.stringify(field) ?? 'undefined', 200)}`, { request });
        }
        return { name: record.fieldName, type: record.type };
      });
    },
    async jobs(type, requestOptions = {}) {
      const path = type === undefined ? 'search/jobs' : `search/jobs/${encodeURIComponent(type)}`;
      const request = `GET /${path}`;
      const body = await getJson(path, request, requestOptions.signal);
      if (!Array.isArray(body.object)) throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: "object" is not an array of jobs.`, { request });
      return body.object.map((job: unknown) => readJob(job, request));
    },
    job: jobCall(undefined),
    stopJob: jobCall('stop'),
    startJob: jobCall('start'),
    removeJob: jobCall('remove'),
  };
}
