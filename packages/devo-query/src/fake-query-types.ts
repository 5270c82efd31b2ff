import { hasMarker, markClass } from './internal/error-marker';

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
  readonly code = 'ERR_QUERY_LAUNCH_REFUSED' as const;
  /** Character offset in the query where the problem is, if known. */
  readonly position: number | undefined;
  constructor(message: string, options: { position?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QueryLaunchError';
    this.position = options.position;
  }

  /** True for a `QueryLaunchError`, even from another copy of the package. */
  static isInstance(value: unknown): value is QueryLaunchError {
    return hasMarker(value, LAUNCH_MARKER);
  }
}
const LAUNCH_MARKER = Symbol.for('dga.devo-query.testing.launch-error');
markClass(QueryLaunchError, LAUNCH_MARKER);

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
