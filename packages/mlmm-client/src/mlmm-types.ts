import type { MlmmEngine } from './engines';
import type { MlmmError } from './mlmm-error';

/** How the token is sent (docs/reference/mlmm-api.md §2). */
export type MlmmAuthType = 'standalone' | 'bearer';

/**
 * Retry settings: the same shape as `@dga/devo-query`'s `QueryRetryOptions`. Only idempotent GETs
 * are retried; uploads, saves, timeouts and aborts never are.
 *
 * @example
 * ```ts
 * createMlmmClient({ url, token, retry: { limit: 3, maxDelayMs: 4000 } });
 * ```
 */
export interface MlmmRetryOptions {
  /**
   * Retries after the first attempt (0 disables retrying).
   * @default 2
   */
  limit?: number;
  /**
   * Base of the exponential backoff: retry n waits up to `min(maxDelayMs, baseDelayMs · 2^(n-1))`.
   * @default 500
   */
  baseDelayMs?: number;
  /**
   * Cap of one backoff delay.
   * @default 8000
   */
  maxDelayMs?: number;
  /**
   * Full jitter: each wait is a uniform draw in [0, the backoff delay), so that separate processes
   * do not retry at the same instants. `false` waits the backoff delay exactly.
   * @default true
   */
  jitter?: boolean;
  /**
   * Upper bound for a server's `Retry-After` (which replaces the backoff when present).
   * @default 30000
   */
  maxRetryAfterMs?: number;
  /**
   * HTTP statuses that are retried.
   * @default [429, 500, 502, 503, 504]
   */
  statusCodes?: readonly number[];
  /**
   * Connection error codes that are retried.
   * @default ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN']
   */
  errorCodes?: readonly string[];
}

/** Passed to `onRetry` before the client waits and retries a GET. */
export interface MlmmRetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** Why the attempt failed. */
  error: MlmmError;
  method: string;
  url: string;
}

/**
 * Options of {@link createMlmmClient}.
 *
 * @example
 * ```ts
 * const options: MlmmClientOptions = { url: 'https://api-eu.devo.com/mlmodelmanager', token, authType: 'bearer', retry: 3 };
 * ```
 */
export interface MlmmClientOptions {
  /** Base URL of the Model Manager, e.g. `https://api-us.devo.com/mlmodelmanager/`. Trailing `/` are stripped. */
  url: string;
  /** The Devo token (never logged, never put in an error). */
  token: string;
  /**
   * `standalone` sends `standAloneToken: <token>`; `bearer` sends `Authorization: Bearer <token>`.
   * @default 'standalone'
   */
  authType?: MlmmAuthType;
  /** Legacy servers (before 2.4.0) only: inserts `/domains/{domain}` before `/models`. */
  domain?: string;
  /**
   * Connect timeout and idle timeout (no byte sent or received) of one attempt, in milliseconds,
   * like the Python client's `requests` timeout: a long transfer that keeps flowing is not cut off.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Deadline of one request across all its attempts and waits, in milliseconds. Bytes that keep
   * arriving do not extend it (a server trickling a byte at a time cannot hold the call open).
   * The client stops retrying when the next wait would cross it, and each attempt's time is
   * what is left of it. `Infinity` turns it off.
   * @default 300000
   */
  totalTimeoutMs?: number;
  /**
   * Retry limit, or retry settings, for GETs.
   * @default { limit: 2 }
   */
  retry?: number | MlmmRetryOptions;
  /**
   * The `User-Agent` header.
   * @default '@dga/mlmm-client/<VERSION>'
   */
  userAgent?: string;
  /** Called before each retry, with the attempt that failed and the wait before the next one. */
  onRetry?: (event: MlmmRetryEvent) => void;
  /** Aborts every call of this client when it fires. */
  signal?: AbortSignal;
  /**
   * Largest reply body accepted, in bytes after decompression, for every call but
   * `downloadModel`. Counted while the body streams in: a larger (or gzip-bomb) reply is cut
   * off with `ERR_MLMM_RESPONSE_TOO_LARGE` before it fills memory.
   * @default 67108864 (64 MiB)
   */
  maxResponseBytes?: number;
  /**
   * Largest `downloadModel` reply accepted (the model's metadata plus its base64 file, about
   * 4/3 of the file size), in bytes after decompression; enforced like `maxResponseBytes`.
   * At most 512 MiB, the longest string V8 can decode.
   * @default 268435456 (256 MiB, a model of about 190 MB)
   */
  maxDownloadBytes?: number;
  /**
   * Source of randomness in [0, 1) for retry jitter, multipart boundaries and temp file names.
   * The default is real randomness, so that separate processes do not retry at the same
   * instants; inject a fixed or seeded source only in tests.
   * @default `Math.random`
   */
  random?: () => number;
  /**
   * Waits between retries; must reject when `signal` fires.
   * @default `setTimeout` from `node:timers/promises`
   */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Clock in epoch milliseconds, only used to read HTTP-date `Retry-After` headers.
   * @default Date.now
   */
  now?: () => number;
}

/** Per-call options. */
export interface MlmmCallOptions {
  /** Aborts this call. */
  signal?: AbortSignal;
}

/** A field of a model's input (docs/reference/mlmm-api.md §4.2). */
export interface MlmmField {
  readonly id?: number | null;
  readonly name: string;
  readonly description?: string | null;
  readonly type: string;
  readonly [key: string]: unknown;
}

/** An item of `listModels()`, as the server sent it (docs/reference/mlmm-api.md §4.1). */
export interface MlmmModelSummary {
  readonly id?: number;
  readonly name: string;
  readonly engine?: string;
  readonly description?: string | null;
  readonly [key: string]: unknown;
}

/** A model's metadata (docs/reference/mlmm-api.md §4.2), without `image`. Unknown keys are kept. */
export interface MlmmModel {
  readonly id: number;
  readonly name: string;
  readonly engine: string;
  readonly description?: string | null;
  readonly creationDate?: number;
  readonly updateDate?: number;
  readonly outputType?: string | null;
  readonly category?: string | null;
  readonly fields?: readonly MlmmField[];
  readonly clusters?: readonly unknown[];
  readonly runtimeSize?: number;
  readonly hidden?: boolean;
  readonly [key: string]: unknown;
}

/** `downloadModel`'s result: the metadata plus the absolute path of the written file. */
export interface MlmmDownloadResult extends MlmmModel {
  readonly file: string;
}

/** Options of `downloadModel`. */
export interface MlmmDownloadOptions extends MlmmCallOptions {
  /** Folder to write into (created when missing). */
  directory: string;
  /**
   * File name inside `directory`.
   * @default `<name><engine extension>` (docs/reference/mlmm-api.md §6)
   */
  fileName?: string;
  /**
   * Checks the downloaded file before anything is written, e.g. that it parses as the expected
   * model, or that it would not replace a different file at `file` (the absolute path it is about
   * to be written to). Throw to refuse it: the error propagates unchanged and the existing file is
   * untouched. The declared `image.size` is always checked first.
   * @default none
   */
  verify?: (bytes: Uint8Array, file: string) => void | Promise<void>;
}

/** The upload review of docs/reference/mlmm-api.md §4.3. */
export interface MlmmReview {
  readonly valid: boolean;
  readonly errorDetail?: string | null;
  readonly imageId?: number;
  readonly size?: number;
  readonly outputType?: unknown;
  readonly category?: unknown;
  readonly fields?: readonly unknown[];
  readonly clusters?: readonly unknown[];
  readonly fileName?: string;
  readonly runtimeSize?: number;
  readonly [key: string]: unknown;
}

/** Options of `addModel`. */
export interface MlmmAddModelOptions extends MlmmCallOptions {
  /** Description saved with the model; when overwriting without one, the stored one is kept. */
  description?: string;
  /**
   * Replace an existing model of the same name (update in place, same id).
   * @default false
   */
  force?: boolean;
  /**
   * File name sent in the multipart `filename`.
   * @default the base name of the path, or `<name><engine extension>` for bytes
   */
  fileName?: string;
}

/** What `addModel` did. */
export interface MlmmAddModelResult {
  /** `created`, or `updated` when `force` replaced an existing model. */
  readonly action: 'created' | 'updated';
  /** Id of the model that was replaced, when `action` is `updated`. */
  readonly previousId?: number;
  /** The server's review of the uploaded file. */
  readonly review: MlmmReview;
}

/**
 * A Model Manager client; see {@link createMlmmClient}.
 *
 * @example
 * ```ts
 * const client: MlmmClient = createMlmmClient({ url, token });
 * for (const model of await client.listModels()) console.log(model.name, model.engine);
 * ```
 */
export interface MlmmClient {
  /** `GET /models`: every visible model, as the server sent them. */
  listModels(options?: MlmmCallOptions): Promise<MlmmModelSummary[]>;
  /** `GET /models/{name}?fast=True`; throws {@link MlmmModelNotFoundError} when absent. */
  getModel(name: string, options?: MlmmCallOptions): Promise<MlmmModel>;
  /** Like `getModel`, but `null` when absent. */
  findModel(name: string, options?: MlmmCallOptions): Promise<MlmmModel | null>;
  /** `GET /models/{name}?fast=False`; writes the model file atomically into `directory`. */
  downloadModel(name: string, options: MlmmDownloadOptions): Promise<MlmmDownloadResult>;
  /** Look up, upload, save (docs/reference/mlmm-api.md §5). `fileOrBytes` is a path (`~` expanded) or the file's bytes. */
  addModel(
    name: string,
    engine: MlmmEngine | (string & {}),
    fileOrBytes: string | Uint8Array,
    options?: MlmmAddModelOptions,
  ): Promise<MlmmAddModelResult>;
}
