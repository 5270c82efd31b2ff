import type { QueryDate } from './dates';
import type { DevoQueryError } from './errors';
import type { QueryColumn, QueryFormat, QueryProgress } from './internal/response-parser';

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

/**
 * Retry settings: the same shape as `@dga/mlmm-client`'s `MlmmRetryOptions`. A query (a POST that
 * is semantically a read) retries only connection failures before the first response byte; the
 * GET endpoints also retry `statusCodes`. Aborts are never retried.
 *
 * @example
 * ```ts
 * createQueryClient({ url, auth, retry: { limit: 3, maxDelayMs: 10_000 } });
 * ```
 */
export interface QueryRetryOptions {
  /**
   * Retries after the first attempt (0 disables retrying).
   * @default 2
   */
  limit?: number;
  /**
   * Base of the exponential backoff: retry n waits up to `min(maxDelayMs, baseDelayMs · 2^(n-1))`.
   * @default 1000
   */
  baseDelayMs?: number;
  /**
   * Cap of one backoff delay.
   * @default 30000
   */
  maxDelayMs?: number;
  /**
   * Full jitter: each wait is a uniform draw in [0, the backoff delay), so that separate processes
   * do not retry at the same instants. `false` waits the backoff delay exactly.
   * @default true
   */
  jitter?: boolean;
  /**
   * Upper bound for a server's `Retry-After` in seconds (which replaces the backoff when present).
   * @default 30000
   */
  maxRetryAfterMs?: number;
  /**
   * HTTP statuses that the GET endpoints retry (a query never retries an HTTP error).
   * @default [429, 500, 502, 503, 504]
   */
  statusCodes?: readonly number[];
  /**
   * Connection error codes that are retried; a connect timeout is retried too.
   * @default ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED']
   */
  errorCodes?: readonly string[];
}

/** Passed to `onRetry` before the client waits and retries a request. */
export interface QueryRetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** Why the attempt failed. */
  error: DevoQueryError;
  /** `METHOD /path` of the request, e.g. `POST /search/query`. */
  request: string;
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
  /**
   * Retry limit, or retry settings.
   * @default { limit: 2 }
   */
  retry?: number | QueryRetryOptions;
  /** Called before each retry, with the attempt that failed and the wait before the next one. */
  onRetry?: (event: QueryRetryEvent) => void;
  /**
   * Source of randomness in [0, 1), only for retry jitter. The default is real randomness, so
   * that separate processes do not retry at the same instants; inject a fixed source only in tests.
   * @default `Math.random`
   */
  random?: () => number;
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
