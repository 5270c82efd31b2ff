import { hasMarker, markClass } from './internal/error-marker';

const MARKER = Symbol.for('dga.devo-query.error');

/** Every error code thrown by `@dga/devo-query`. */
export type DevoQueryErrorCode =
  | 'ERR_QUERY_INVALID_OPTION'
  | 'ERR_QUERY_INVALID_DATE'
  | 'ERR_QUERY_HTTP_STATUS'
  | 'ERR_QUERY_DATA'
  | 'ERR_QUERY_TRUNCATED'
  | 'ERR_QUERY_MALFORMED'
  | 'ERR_QUERY_RESPONSE'
  | 'ERR_QUERY_TIMEOUT'
  | 'ERR_QUERY_NETWORK'
  | 'ERR_QUERY_ABORTED';

/** Options shared by every `DevoQueryError` constructor. */
export interface DevoQueryErrorOptions {
  cause?: unknown;
  /** The request, as `POST /search/query` (never with credentials). */
  request?: string;
}

/**
 * Base class of every error thrown by `@dga/devo-query`. Messages and fields never contain a
 * token, JWT, API secret or signature.
 *
 * @example
 * ```ts
 * try { for await (const row of client.query({ query, from })) use(row); }
 * catch (error) { if (DevoQueryError.isInstance(error) && error.code === 'ERR_QUERY_DATA') retryLater(); }
 * ```
 */
export class DevoQueryError extends Error {
  readonly code: DevoQueryErrorCode;
  /** `METHOD /path` of the request that failed, when there was one. */
  readonly request: string | undefined;

  constructor(code: DevoQueryErrorCode, message: string, options: DevoQueryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DevoQueryError';
    this.code = code;
    this.request = options.request;
  }

  /** True for any `DevoQueryError`, even from another copy of the package. */
  static isInstance(value: unknown): value is DevoQueryError {
    return hasMarker(value, MARKER);
  }
}
markClass(DevoQueryError, MARKER);

/**
 * Guard for {@link DevoQueryError}; works across duplicated package copies.
 *
 * @example
 * ```ts
 * if (isDevoQueryError(error) && error.code === 'ERR_QUERY_ABORTED') return;
 * ```
 */
export function isDevoQueryError(value: unknown): value is DevoQueryError {
  return DevoQueryError.isInstance(value);
}

/** Fields the server put in an error body (docs/reference/devo-query-api.md §7.1 extraction rule), all optional. */
export interface ServerErrorDetails {
  /** Devo's error code (`code` or `error.code`), e.g. `12` for a bad signature. */
  serverCode?: number | string | undefined;
  /** Correlation id to quote to Devo support. */
  cid?: string | undefined;
  /** Server timestamp (epoch ms) of the error. */
  timestamp?: number | undefined;
}

/**
 * The server answered with an HTTP status other than 200 (docs/reference/devo-query-api.md §7.1). `cause` holds the truncated raw body.
 *
 * @example
 * ```ts
 * if (QueryHttpError.isInstance(error) && error.status === 401) console.error(error.serverMessage, error.cid);
 * ```
 */
export class QueryHttpError extends DevoQueryError {
  readonly status: number;
  readonly serverCode: number | string | undefined;
  readonly cid: string | undefined;
  readonly timestamp: number | undefined;
  /** The server's own message, extracted from the body. */
  readonly serverMessage: string;

  constructor(
    message: string,
    options: DevoQueryErrorOptions & ServerErrorDetails & { status: number; serverMessage: string },
  ) {
    super('ERR_QUERY_HTTP_STATUS', message, options);
    this.name = 'QueryHttpError';
    this.status = options.status;
    this.serverCode = options.serverCode;
    this.cid = options.cid;
    this.timestamp = options.timestamp;
    this.serverMessage = options.serverMessage;
  }

  /** True for a `QueryHttpError`, even from another copy of the package. */
  static override isInstance(value: unknown): value is QueryHttpError {
    return hasMarker(value, HTTP_MARKER);
  }
}
const HTTP_MARKER = Symbol.for('dga.devo-query.error.http');
markClass(QueryHttpError, HTTP_MARKER);

/**
 * The server reported an error inside a 200 response, after some rows (docs/reference/devo-query-api.md §7.2). Rows delivered
 * before it are valid.
 *
 * @example
 * ```ts
 * if (QueryDataError.isInstance(error)) console.error(`failed after ${error.rowsBefore} rows: ${error.serverMessage}`);
 * ```
 */
export class QueryDataError extends DevoQueryError {
  readonly serverCode: number | string | undefined;
  readonly serverMessage: string;
  /** How many rows were delivered before the error marker. */
  readonly rowsBefore: number;

  constructor(
    message: string,
    options: DevoQueryErrorOptions & { serverCode?: number | string | undefined; serverMessage: string; rowsBefore: number },
  ) {
    super('ERR_QUERY_DATA', message, options);
    this.name = 'QueryDataError';
    this.serverCode = options.serverCode;
    this.serverMessage = options.serverMessage;
    this.rowsBefore = options.rowsBefore;
  }

  /** True for a `QueryDataError`, even from another copy of the package. */
  static override isInstance(value: unknown): value is QueryDataError {
    return hasMarker(value, DATA_MARKER);
  }
}
const DATA_MARKER = Symbol.for('dga.devo-query.error.data');
markClass(QueryDataError, DATA_MARKER);

/** Which timeout expired: connecting, the socket staying silent, or the whole call's deadline. */
export type QueryTimeoutKind = 'connect' | 'idle' | 'total';

/**
 * A timeout expired (`ERR_QUERY_TIMEOUT`): `kind` says which one and `timeoutMs` its value, so a
 * caller can name its own setting in a message (`connect` and `idle` come from the client's
 * `timeoutMs`, `total` from `totalTimeoutMs`).
 *
 * @example
 * ```ts
 * if (isQueryTimeoutError(error) && error.kind === 'total') console.error(`gave up after ${error.timeoutMs} ms`);
 * ```
 */
export class QueryTimeoutError extends DevoQueryError {
  readonly kind: QueryTimeoutKind;
  /** The value of the timeout that expired, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, options: DevoQueryErrorOptions & { kind: QueryTimeoutKind; timeoutMs: number }) {
    super('ERR_QUERY_TIMEOUT', message, options);
    this.name = 'QueryTimeoutError';
    this.kind = options.kind;
    this.timeoutMs = options.timeoutMs;
  }

  /** True for a `QueryTimeoutError`, even from another copy of the package. */
  static override isInstance(value: unknown): value is QueryTimeoutError {
    return hasMarker(value, TIMEOUT_MARKER);
  }
}
const TIMEOUT_MARKER = Symbol.for('dga.devo-query.error.timeout');
markClass(QueryTimeoutError, TIMEOUT_MARKER);

/**
 * Guard for {@link QueryTimeoutError}; works across duplicated package copies.
 *
 * @example
 * ```ts
 * if (isQueryTimeoutError(error)) console.error(error.kind, error.timeoutMs);
 * ```
 */
export function isQueryTimeoutError(value: unknown): value is QueryTimeoutError {
  return QueryTimeoutError.isInstance(value);
}

/**
 * The response could not be understood: cut off (`ERR_QUERY_TRUNCATED`), a line or document
 * that is not valid (`ERR_QUERY_MALFORMED`), or a body of the wrong shape (`ERR_QUERY_RESPONSE`).
 *
 * @example
 * ```ts
 * if (QueryResponseError.isInstance(error) && error.code === 'ERR_QUERY_TRUNCATED') retry();
 * ```
 */
export class QueryResponseError extends DevoQueryError {
  constructor(
    code: 'ERR_QUERY_TRUNCATED' | 'ERR_QUERY_MALFORMED' | 'ERR_QUERY_RESPONSE',
    message: string,
    options: DevoQueryErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'QueryResponseError';
  }

  /** True for a `QueryResponseError`, even from another copy of the package. */
  static override isInstance(value: unknown): value is QueryResponseError {
    return hasMarker(value, RESPONSE_MARKER);
  }
}
const RESPONSE_MARKER = Symbol.for('dga.devo-query.error.response');
markClass(QueryResponseError, RESPONSE_MARKER);
