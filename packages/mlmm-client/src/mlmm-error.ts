/**
 * Errors of `@dga/mlmm-client`.
 *
 * What a caller branches on is the class (or its guard) and `code`, a stable `ERR_MLMM_*` string.
 * `serverCode` and `msg` follow the official Python client (docs/reference/mlmm-api.md §7):
 * `serverCode` is the integer `code` of the server's error body (0 when there is none, never the
 * HTTP status) and `msg` its text. Messages and fields never contain the token.
 */

/** Stable machine-readable code of every {@link MlmmError}. */
export type MlmmErrorCode =
  | 'ERR_MLMM_INVALID_OPTION'
  | 'ERR_MLMM_INVALID_NAME'
  | 'ERR_MLMM_FILE_SYSTEM'
  | 'ERR_MLMM_TOKEN'
  | 'ERR_MLMM_HTTP_STATUS'
  | 'ERR_MLMM_MODEL_NOT_FOUND'
  | 'ERR_MLMM_MODEL_ALREADY_EXISTS'
  | 'ERR_MLMM_MODEL_REJECTED'
  | 'ERR_MLMM_NETWORK'
  | 'ERR_MLMM_TIMEOUT'
  | 'ERR_MLMM_ABORTED'
  | 'ERR_MLMM_RESPONSE_INVALID'
  | 'ERR_MLMM_RESPONSE_TOO_LARGE'
  | 'ERR_MLMM_RETRIES_EXHAUSTED';

/** Options of the {@link MlmmError} constructor. */
export interface MlmmErrorOptions {
  /** Machine-readable code, e.g. `ERR_MLMM_TOKEN`. */
  code: MlmmErrorCode;
  /**
   * The server body's integer `code` (docs/reference/mlmm-api.md §7).
   * @default 0
   */
  serverCode?: number;
  /** The short message of docs/reference/mlmm-api.md §7 (`Token invalid or expired`, `'my_model'`, …). */
  msg: string;
  /** Context and the fix, appended to `message` after the docs/reference/mlmm-api.md §7 form. */
  detail?: string;
  /** The underlying error. Never an object holding request options or headers. */
  cause?: unknown;
}

const markerPrefix = 'dga.mlmm-client.error';

function mark(target: { prototype: object }, kind: string): void {
  Object.defineProperty(target.prototype, Symbol.for(kind === '' ? markerPrefix : `${markerPrefix}.${kind}`), {
    value: true,
    enumerable: false,
  });
}

function hasMark(value: unknown, kind: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Symbol.for(kind === '' ? markerPrefix : `${markerPrefix}.${kind}`)] === true
  );
}

/** The string form of the Python client: `"<serverCode>: <msg>"` when serverCode ≠ 0, else `msg`. */
export function formatMlmmMessage(serverCode: number, msg: string): string {
  return serverCode === 0 ? msg : `${serverCode}: ${msg}`;
}

/**
 * Base class of every error thrown by `@dga/mlmm-client`.
 *
 * `message` starts with the Python client's form (`"<serverCode>: <msg>"`, or `msg` when it is 0),
 * followed by the request and the fix.
 *
 * @example
 * ```ts
 * try { await client.getModel('dga_classifier'); }
 * catch (error) {
 *   if (MlmmError.isInstance(error)) console.error(error.code, error.serverCode, error.msg);
 * }
 * ```
 */
export class MlmmError extends Error {
  override name: string = 'MlmmError';
  /** Machine-readable code, e.g. `ERR_MLMM_TOKEN`. */
  readonly code: MlmmErrorCode;
  /** The server body's integer `code`, 0 when none (docs/reference/mlmm-api.md §7). Never the HTTP status. */
  readonly serverCode: number;
  /** The short message of docs/reference/mlmm-api.md §7. */
  readonly msg: string;

  constructor(options: MlmmErrorOptions) {
    const serverCode = options.serverCode ?? 0;
    const head = formatMlmmMessage(serverCode, options.msg);
    super(
      options.detail === undefined || options.detail === '' ? head : `${head} — ${options.detail}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = options.code;
    this.serverCode = serverCode;
    this.msg = options.msg;
  }

  /** True for any error of this package, even from another installed copy of it. */
  static isInstance(value: unknown): value is MlmmError {
    return hasMark(value, '');
  }
}
mark(MlmmError, '');

/** The request an error belongs to. The URL never carries credentials. */
export interface MlmmRequestInfo {
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** Absolute URL of the request (without user info). */
  url: string;
}

/**
 * The server answered with a non-2xx status (docs/reference/mlmm-api.md §7). `serverCode`/`msg` come from the JSON body,
 * `status` is the HTTP status, `body` the start of the raw body (truncated).
 *
 * @example
 * ```ts
 * if (MlmmHttpError.isInstance(error) && error.status === 404) switchLayout();
 * ```
 */
export class MlmmHttpError extends MlmmError {
  override name: string = 'MlmmHttpError';
  /** HTTP status of the response. */
  readonly status: number;
  /** HTTP method of the request. */
  readonly method: string;
  /** URL of the request. */
  readonly url: string;
  /** The response body as text, truncated to 500 characters. */
  readonly body: string;

  constructor(options: MlmmErrorOptions & MlmmRequestInfo & { status: number; body: string }) {
    super(options);
    this.status = options.status;
    this.method = options.method;
    this.url = options.url;
    this.body = options.body;
  }

  static override isInstance(value: unknown): value is MlmmHttpError {
    return hasMark(value, 'http');
  }
}
mark(MlmmHttpError, 'http');

/**
 * The server rejected the token: its body had `code: 5` (any HTTP status). `serverCode` is 5.
 *
 * @example
 * ```ts
 * if (isMlmmTokenError(error)) console.error('Renew the token in Devo → Administration → Credentials');
 * ```
 */
export class MlmmTokenError extends MlmmHttpError {
  override name: string = 'MlmmTokenError';

  static override isInstance(value: unknown): value is MlmmTokenError {
    return hasMark(value, 'token');
  }
}
mark(MlmmTokenError, 'token');

/**
 * `getModel`/`downloadModel` found no model of that name (the server answered 204 or an empty
 * body). `serverCode` 0, `msg` `'<name>'`.
 *
 * @example
 * ```ts
 * if (isMlmmModelNotFoundError(error)) console.error(`no model ${error.modelName}`);
 * ```
 */
export class MlmmModelNotFoundError extends MlmmError {
  override name: string = 'MlmmModelNotFoundError';
  /** The model name that was looked up. */
  readonly modelName: string;

  constructor(options: MlmmErrorOptions & { modelName: string }) {
    super(options);
    this.modelName = options.modelName;
  }

  static override isInstance(value: unknown): value is MlmmModelNotFoundError {
    return hasMark(value, 'model-not-found');
  }
}
mark(MlmmModelNotFoundError, 'model-not-found');

/**
 * `addModel` without `force` found a model of the same name; nothing was uploaded.
 * `serverCode` 0, `msg` `'<name>'`.
 *
 * @example
 * ```ts
 * if (isMlmmModelAlreadyExistsError(error)) await client.addModel(name, 'ONNX', file, { force: true });
 * ```
 */
export class MlmmModelAlreadyExistsError extends MlmmError {
  override name: string = 'MlmmModelAlreadyExistsError';
  /** The model name that already exists. */
  readonly modelName: string;
  /** Id of the existing model. */
  readonly modelId: number;

  constructor(options: MlmmErrorOptions & { modelName: string; modelId: number }) {
    super(options);
    this.modelName = options.modelName;
    this.modelId = options.modelId;
  }

  static override isInstance(value: unknown): value is MlmmModelAlreadyExistsError {
    return hasMark(value, 'model-already-exists');
  }
}
mark(MlmmModelAlreadyExistsError, 'model-already-exists');

/**
 * The server reviewed the uploaded file and found it invalid (`valid: false`); nothing was saved.
 * `serverCode` 0, `msg` = the review's `errorDetail`.
 *
 * @example
 * ```ts
 * if (isMlmmModelRejectedError(error)) console.error(error.review.errorDetail);
 * ```
 */
export class MlmmModelRejectedError extends MlmmError {
  override name: string = 'MlmmModelRejectedError';
  /** The review object returned by the upload. */
  readonly review: Readonly<Record<string, unknown>>;

  constructor(options: MlmmErrorOptions & { review: Readonly<Record<string, unknown>> }) {
    super(options);
    this.review = options.review;
  }

  static override isInstance(value: unknown): value is MlmmModelRejectedError {
    return hasMark(value, 'model-rejected');
  }
}
mark(MlmmModelRejectedError, 'model-rejected');

/**
 * The request failed below HTTP (connection refused or reset, DNS, TLS). `networkCode` is the
 * system code such as `ECONNRESET`.
 *
 * @example
 * ```ts
 * if (isMlmmNetworkError(error) && error.networkCode === 'ECONNREFUSED') console.error('is the server up?');
 * ```
 */
export class MlmmNetworkError extends MlmmError {
  override name: string = 'MlmmNetworkError';
  readonly method: string;
  readonly url: string;
  /** System error code, e.g. `ECONNRESET`; `undefined` when unknown. */
  readonly networkCode: string | undefined;

  constructor(options: MlmmErrorOptions & MlmmRequestInfo & { networkCode: string | undefined }) {
    super(options);
    this.method = options.method;
    this.url = options.url;
    this.networkCode = options.networkCode;
  }

  static override isInstance(value: unknown): value is MlmmNetworkError {
    return hasMark(value, 'network');
  }
}
mark(MlmmNetworkError, 'network');

/**
 * Which timeout expired: connecting, the socket staying silent (both set by `timeoutMs`), or the
 * call's deadline (`totalTimeoutMs`).
 */
export type MlmmTimeoutKind = 'connect' | 'idle' | 'total';

/**
 * A timeout expired: `kind` says which one and `timeoutMs` its value, so an app can name its own
 * setting in a message. Timeouts are not retried.
 *
 * @example
 * ```ts
 * if (isMlmmTimeoutError(error) && error.kind === 'total') console.error(`not done within ${error.timeoutMs} ms`);
 * ```
 */
export class MlmmTimeoutError extends MlmmError {
  override name: string = 'MlmmTimeoutError';
  readonly method: string;
  readonly url: string;
  /** Which timeout expired. */
  readonly kind: MlmmTimeoutKind;
  /** The value of the timeout that expired: `timeoutMs`, or `totalTimeoutMs` when `kind` is `total`. */
  readonly timeoutMs: number;

  constructor(options: MlmmErrorOptions & MlmmRequestInfo & { kind: MlmmTimeoutKind; timeoutMs: number }) {
    super(options);
    this.method = options.method;
    this.url = options.url;
    this.kind = options.kind;
    this.timeoutMs = options.timeoutMs;
  }

  static override isInstance(value: unknown): value is MlmmTimeoutError {
    return hasMark(value, 'timeout');
  }
}
mark(MlmmTimeoutError, 'timeout');

/**
 * The caller's `AbortSignal` fired. `cause` is the signal's reason. Aborts are never retried.
 *
 * @example
 * ```ts
 * if (isMlmmAbortError(error)) return;
 * ```
 */
export class MlmmAbortError extends MlmmError {
  override name: string = 'MlmmAbortError';

  static override isInstance(value: unknown): value is MlmmAbortError {
    return hasMark(value, 'abort');
  }
}
mark(MlmmAbortError, 'abort');

/**
 * A 2xx response whose body is not what the protocol promises (docs/reference/mlmm-api.md §4), e.g. a model without
 * `id`. `body` holds the start of the body (truncated).
 *
 * @example
 * ```ts
 * if (isMlmmResponseError(error)) console.error(error.body);
 * ```
 */
export class MlmmResponseError extends MlmmError {
  override name: string = 'MlmmResponseError';
  readonly status: number;
  readonly method: string;
  readonly url: string;
  /** The response body as text, truncated to 500 characters. */
  readonly body: string;

  constructor(options: MlmmErrorOptions & MlmmRequestInfo & { status: number; body: string }) {
    super(options);
    this.status = options.status;
    this.method = options.method;
    this.url = options.url;
    this.body = options.body;
  }

  static override isInstance(value: unknown): value is MlmmResponseError {
    return hasMark(value, 'response');
  }
}
mark(MlmmResponseError, 'response');

/**
 * Every attempt of a retried GET failed with a retryable error. `errors` keeps each attempt's
 * error in order; `serverCode`, `msg` and `cause` are those of the last one.
 *
 * @example
 * ```ts
 * if (isMlmmRetryError(error)) console.error(error.errors.map((attempt) => attempt.message));
 * ```
 */
export class MlmmRetryError extends MlmmError {
  override name: string = 'MlmmRetryError';
  /** The error of every attempt, first to last. */
  readonly errors: readonly MlmmError[];

  constructor(errors: readonly MlmmError[]) {
    const last = errors.at(-1);
    super({
      code: 'ERR_MLMM_RETRIES_EXHAUSTED',
      serverCode: last?.serverCode ?? 0,
      msg: last?.msg ?? 'Unexpected error',
      detail: `gave up after ${errors.length} attempts; last: ${last?.message ?? 'unknown'}`,
      cause: last,
    });
    this.errors = errors;
  }

  static override isInstance(value: unknown): value is MlmmRetryError {
    return hasMark(value, 'retry');
  }
}
mark(MlmmRetryError, 'retry');

/** Guard for {@link MlmmError}. @example `if (isMlmmError(error)) console.error(error.code);` */
export function isMlmmError(value: unknown): value is MlmmError {
  return MlmmError.isInstance(value);
}
/** Guard for {@link MlmmHttpError} (includes {@link MlmmTokenError}). @example `isMlmmHttpError(error) && error.status === 404` */
export function isMlmmHttpError(value: unknown): value is MlmmHttpError {
  return MlmmHttpError.isInstance(value);
}
/** Guard for {@link MlmmTokenError}. @example `if (isMlmmTokenError(error)) askForNewToken();` */
export function isMlmmTokenError(value: unknown): value is MlmmTokenError {
  return MlmmTokenError.isInstance(value);
}
/** Guard for {@link MlmmModelNotFoundError}. @example `if (isMlmmModelNotFoundError(error)) return null;` */
export function isMlmmModelNotFoundError(value: unknown): value is MlmmModelNotFoundError {
  return MlmmModelNotFoundError.isInstance(value);
}
/** Guard for {@link MlmmModelAlreadyExistsError}. @example `if (isMlmmModelAlreadyExistsError(error)) suggestForce();` */
export function isMlmmModelAlreadyExistsError(value: unknown): value is MlmmModelAlreadyExistsError {
  return MlmmModelAlreadyExistsError.isInstance(value);
}
/** Guard for {@link MlmmModelRejectedError}. @example `if (isMlmmModelRejectedError(error)) console.error(error.msg);` */
export function isMlmmModelRejectedError(value: unknown): value is MlmmModelRejectedError {
  return MlmmModelRejectedError.isInstance(value);
}
/** Guard for {@link MlmmNetworkError}. @example `if (isMlmmNetworkError(error)) console.error(error.networkCode);` */
export function isMlmmNetworkError(value: unknown): value is MlmmNetworkError {
  return MlmmNetworkError.isInstance(value);
}
/** Guard for {@link MlmmTimeoutError}. @example `if (isMlmmTimeoutError(error)) console.error(error.timeoutMs);` */
export function isMlmmTimeoutError(value: unknown): value is MlmmTimeoutError {
  return MlmmTimeoutError.isInstance(value);
}
/** Guard for {@link MlmmAbortError}. @example `if (isMlmmAbortError(error)) return;` */
export function isMlmmAbortError(value: unknown): value is MlmmAbortError {
  return MlmmAbortError.isInstance(value);
}
/** Guard for {@link MlmmResponseError}. @example `if (isMlmmResponseError(error)) console.error(error.body);` */
export function isMlmmResponseError(value: unknown): value is MlmmResponseError {
  return MlmmResponseError.isInstance(value);
}
/** Guard for {@link MlmmRetryError}. @example `if (isMlmmRetryError(error)) console.error(error.errors.length);` */
export function isMlmmRetryError(value: unknown): value is MlmmRetryError {
  return MlmmRetryError.isInstance(value);
}
