import { once } from 'node:events';
import { open, readFile, rename, rm, mkdir } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import got, { type Got, type PlainResponse, type RequestFunction } from 'got';
import { mlmmEngineExtension, type MlmmEngine } from './engines';
import {
  MlmmAbortError,
  MlmmError,
  MlmmHttpError,
  MlmmModelAlreadyExistsError,
  MlmmModelNotFoundError,
  MlmmModelRejectedError,
  MlmmNetworkError,
  MlmmResponseError,
  MlmmRetryError,
  MlmmTimeoutError,
  MlmmTokenError,
} from './mlmm-error';
import { buildModelMultipart } from './internal/multipart';
import { pythonJsonDumps } from './internal/python-json';
import { pythonQuote } from './internal/python-quote';
import { backoffDelay, parseRetryAfter, type ResolvedRetry } from './internal/retry';
import { randomHex } from './internal/random-hex';
import { isPythonFalsy, isRecord, listProblem, modelProblem, reviewProblem } from './internal/validate';
import { VERSION } from './version';

/** How the token is sent (docs/reference/mlmm-api.md §2). */
export type MlmmAuthType = 'standalone' | 'bearer';

/**
 * Retry settings. Only idempotent GETs are retried; uploads and saves never are.
 *
 * @example
 * ```ts
 * createMlmmClient({ url, token, retry: { limit: 3, backoffLimitMs: 4000 } });
 * ```
 */
export interface MlmmRetryOptions {
  /**
   * Retries after the first attempt (0 disables retrying).
   * @default 2
   */
  limit?: number;
  /**
   * HTTP statuses that are retried.
   * @default [429, 500, 502, 503, 504]
   */
  statusCodes?: readonly number[];
  /**
   * Connection error codes that are retried. Timeouts are not retried.
   * @default ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN']
   */
  errorCodes?: readonly string[];
  /**
   * Base of the exponential backoff; retry n waits a uniform draw in
   * [0, min(backoffLimitMs, backoffBaseMs · 2^(n-1))) ("full jitter").
   * @default 500
   */
  backoffBaseMs?: number;
  /**
   * Cap of one backoff delay.
   * @default 8000
   */
  backoffLimitMs?: number;
  /**
   * Upper bound for a server's `Retry-After` (which replaces the backoff when present).
   * @default 30000
   */
  maxRetryAfterMs?: number;
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
  /** Called before each retry. */
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
   * model. Throw to refuse it: the error propagates unchanged and the existing file is untouched.
   * The declared `image.size` is always checked first.
   * @default none
   */
  verify?: (bytes: Uint8Array) => void | Promise<void>;
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

const defaultRetry: ResolvedRetry = {
  limit: 2,
  statusCodes: [429, 500, 502, 503, 504],
  errorCodes: ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN'],
  backoffBaseMs: 500,
  backoffLimitMs: 8000,
  maxRetryAfterMs: 30_000,
};

/** Header names as the Python client spells them on the wire; got lower-cases header keys. */
const headerCase: Readonly<Record<string, string>> = {
  standalonetoken: 'standAloneToken',
  authorization: 'Authorization',
  'user-agent': 'User-Agent',
  accept: 'Accept',
  'accept-encoding': 'Accept-Encoding',
  'content-type': 'Content-Type',
  'content-length': 'Content-Length',
};

const requestWithHeaderCase: RequestFunction = (url, options, callback) => {
  const headers: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.headers ?? {})) headers[headerCase[key] ?? key] = value;
  const send = url.protocol === 'https:' ? https.request : http.request;
  return send(url, { ...options, headers: headers as http.OutgoingHttpHeaders }, callback);
};

const BODY_SNIPPET = 500;
const MIB = 1024 * 1024;
/** Bodies are decoded as one string: V8's longest is just under 2^29 characters. */
const MAX_BODY_BYTES = 512 * MIB;

function byteLimit(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_BODY_BYTES) {
    throw usage(`Invalid ${name}: ${JSON.stringify(value)}`, `options.${name} must be a whole number of bytes from 1 to ${MAX_BODY_BYTES} (512 MiB)`);
  }
  return value;
}

function usage(msg: string, detail: string): MlmmError {
  return new MlmmError({ reason: 'ERR_MLMM_INVALID_OPTIONS', msg, detail });
}

function validateBaseUrl(url: unknown, token: unknown): string {
  const raw = typeof url === 'string' ? url : String(url);
  const text = typeof token === 'string' && token !== '' ? raw.replaceAll(token, '[redacted]') : raw;
  const invalid = usage(
    `Invalid url: '${text}'`,
    "createMlmmClient needs an absolute http(s) URL with a host and no spaces, e.g. 'https://api-us.devo.com/mlmodelmanager/'",
  );
  if (typeof url !== 'string' || /\s/.test(url)) throw invalid;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid;
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') throw invalid;
  if (parsed.username !== '' || parsed.password !== '') {
    throw usage('Invalid url: credentials in the URL', 'remove user:password@ from options.url and pass the token in options.token');
  }
  if (parsed.search !== '' || parsed.hash !== '' || url.includes('?') || url.includes('#')) throw invalid;
  return url.replace(/\/+$/, '');
}

/** The URL without user info, for messages. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}

function validateName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new MlmmError({
      reason: 'ERR_MLMM_INVALID_NAME',
      msg: `Invalid name: '${typeof name === 'string' ? name : String(name)}'`,
      detail: 'pass a non-empty model name',
    });
  }
  if (name.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new MlmmError({
      reason: 'ERR_MLMM_INVALID_NAME',
      msg: `Invalid name: '${name}'`,
      detail: 'a name with "." or ".." path segments cannot be addressed: URLs normalise them away (the Python client has the same limit)',
    });
  }
  return name;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  method: string;
  url: string;
}

interface RequestSpec {
  method: 'GET' | 'POST';
  /** Path after the prefix, without leading `/`, with query. */
  path: string;
  body?: Buffer;
  contentType?: string;
  /** Only idempotent GETs pass true. */
  retryable: boolean;
  /** Largest accepted body after decompression, and the option that sets it. */
  maxBytes: { limit: number; option: 'maxResponseBytes' | 'maxDownloadBytes' };
  signal: AbortSignal | undefined;
}

/** The JSON of `body`: `null` when empty, `undefined` when it is not JSON. */
function decodeJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * What went wrong when no usable HTTP answer arrived, when it can be told apart from an
 * unreachable server: TLS spoken to a plain-HTTP port, or a reply cut off after some bytes.
 */
function describeTransportFailure(error: Record<string, unknown>, baseUrl: string): { msg: string; detail: string } | undefined {
  const message = typeof error['message'] === 'string' ? error['message'] : '';
  if (baseUrl.startsWith('https:') && (/wrong.version.number|packet.length.too.long|http.request/i.test(message) || error['code'] === 'ERR_SSL_WRONG_VERSION_NUMBER')) {
    const plain = `http:${baseUrl.slice('https:'.length)}`;
    return {
      msg: `the server at ${baseUrl} does not speak HTTPS; use ${plain}`,
      detail: 'failed in the TLS handshake: the port answers plain HTTP',
    };
  }
  const response = isRecord(error['response']) ? error['response'] : undefined;
  if (response !== undefined && typeof response['statusCode'] === 'number') {
    const progress = isRecord(error['request']) && isRecord(error['request']['downloadProgress']) ? error['request']['downloadProgress'] : {};
    const received = typeof progress['transferred'] === 'number' ? progress['transferred'] : 0;
    const total = typeof progress['total'] === 'number' ? ` of ${progress['total']}` : '';
    return {
      msg: `the reply was cut off after ${received}${total} bytes`,
      detail: `answered HTTP ${response['statusCode']}, then the connection closed before the reply was complete; retry, and check the server or proxy`,
    };
  }
  return undefined;
}

/**
 * Creates a client of Devo's ML Model Manager that puts on the wire exactly what the official
 * Python client `devo-mlmodelmanager` sends. Throws {@link MlmmError} (`ERR_MLMM_INVALID_OPTIONS`)
 * on an invalid URL or auth type, before any traffic.
 *
 * @example
 * ```ts
 * import { createMlmmClient } from '@dga/mlmm-client';
 *
 * const client = createMlmmClient({ url: 'https://api-us.devo.com/mlmodelmanager/', token });
 * await client.addModel('dga_classifier', 'ONNX', './model.onnx', { description: 'DGA', force: true });
 * const model = await client.findModel('dga_classifier');
 * const { file } = await client.downloadModel('dga_classifier', { directory: './models' });
 * ```
 */
export function createMlmmClient(options: MlmmClientOptions): MlmmClient {
  if (!isRecord(options)) throw usage('Invalid options', 'createMlmmClient({ url, token }) needs an options object');
  const base = validateBaseUrl(options.url, options.token);
  const token = options.token;
  if (typeof token !== 'string' || token === '' || /[\r\n]/.test(token)) {
    throw usage('Invalid token', 'pass the Devo token as a non-empty single-line string in options.token');
  }
  const authType = options.authType ?? 'standalone';
  if (authType !== 'standalone' && authType !== 'bearer') {
    throw usage(`Invalid auth type: '${String(authType)}'`, "options.authType must be 'standalone' or 'bearer'");
  }
  const domain = options.domain;
  if (domain !== undefined && (typeof domain !== 'string' || domain === '' || /[\s/?#]/.test(domain))) {
    throw usage(`Invalid domain: '${String(domain)}'`, 'options.domain must be a Devo domain name without spaces, "/", "?" or "#"');
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw usage(`Invalid timeoutMs: ${String(timeoutMs)}`, 'options.timeoutMs must be a positive number of milliseconds');
  }
  const totalTimeoutMs = options.totalTimeoutMs ?? 300_000;
  if (typeof totalTimeoutMs !== 'number' || Number.isNaN(totalTimeoutMs) || totalTimeoutMs <= 0) {
    throw usage(`Invalid totalTimeoutMs: ${String(totalTimeoutMs)}`, 'options.totalTimeoutMs must be a positive number of milliseconds (Infinity for no deadline)');
  }
  const retryOption = options.retry;
  const retry: ResolvedRetry =
    typeof retryOption === 'number'
      ? { ...defaultRetry, limit: retryOption }
      : { ...defaultRetry, ...Object.fromEntries(Object.entries(retryOption ?? {}).filter(([, value]) => value !== undefined)) };
  if (!Number.isInteger(retry.limit) || retry.limit < 0) {
    throw usage(`Invalid retry limit: ${String(retry.limit)}`, 'options.retry must be a non-negative integer or { limit }');
  }
  const maxResponseBytes = byteLimit(options.maxResponseBytes, 'maxResponseBytes', 64 * MIB);
  const maxDownloadBytes = byteLimit(options.maxDownloadBytes, 'maxDownloadBytes', 256 * MIB);
  const jsonLimit = { limit: maxResponseBytes, option: 'maxResponseBytes' } as const;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((milliseconds: number, signal?: AbortSignal) => delay(milliseconds, undefined, signal ? { signal } : {}));
  const now = options.now ?? Date.now;
  const clientSignal = options.signal;
  const prefix = domain === undefined ? base : `${base}/domains/${domain}`;
  const displayPrefix = displayUrl(prefix).replace(/\/+$/, '');

  const instance: Got = got.extend({
    prefixUrl: `${prefix}/`,
    headers: {
      'user-agent': options.userAgent ?? `@dga/mlmm-client/${VERSION}`,
      accept: '*/*',
      'accept-encoding': 'gzip, deflate',
      ...(authType === 'standalone' ? { standalonetoken: token } : { authorization: `Bearer ${token}` }),
    },
    // Like requests' timeout=30 of the Python client: connect and idle-socket timeouts, so a
    // large model that keeps flowing is not cut off. `totalTimeoutMs` adds a hard deadline
    // (got's `request` timeout, set per attempt in `sendOnce`).
    timeout: { connect: timeoutMs, secureConnect: timeoutMs, socket: timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    request: requestWithHeaderCase,
  });

  // Retry-After of each HTTP error, kept beside the error so the public error stays small.
  const retryAfterOf = new WeakMap<MlmmError, string>();
  const redact = (text: string): string => text.replaceAll(token, '[redacted]');
  const snippet = (body: Buffer): string => {
    const text = redact(body.toString('utf8'));
    return text.length > BODY_SNIPPET ? `${text.slice(0, BODY_SNIPPET)}… (${text.length} characters)` : text;
  };

  function combinedSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
    const signals = [clientSignal, signal].filter((item): item is AbortSignal => item !== undefined);
    if (signals.length === 0) return undefined;
    return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  }

  function abortError(method: string, url: string, signal: AbortSignal): MlmmAbortError {
    return new MlmmAbortError({
      reason: 'ERR_MLMM_ABORTED',
      msg: 'The operation was aborted',
      detail: `${method} ${url} was cancelled by the caller's AbortSignal`,
      cause: signal.reason,
    });
  }

  function transportError(error: unknown, method: string, url: string, signal: AbortSignal | undefined): MlmmError {
    if (signal?.aborted) return abortError(method, url, signal);
    const record = isRecord(error) ? error : {};
    // One line: OpenSSL's messages end with a newline.
    const text = redact(typeof record['message'] === 'string' ? record['message'] : String(error)).replace(/\s*\n\s*/g, ' ').trim();
    const systemCode = typeof record['code'] === 'string' && /^E[A-Z0-9_]+$/.test(record['code']) ? record['code'] : undefined;
    // A fresh cause: got's errors hold the request options, headers included (the token).
    const cause = Object.assign(new Error(text), systemCode === undefined ? {} : { code: systemCode });
    if (record['name'] === 'TimeoutError') {
      // got's `request` timeout is our deadline; `socket` the idle one; the rest are connecting.
      const event = record['event'];
      const kind = event === 'request' ? 'total' : event === 'socket' || event === undefined ? 'idle' : 'connect';
      const detail =
        kind === 'total'
          ? `${method} ${url} did not finish within totalTimeoutMs (${totalTimeoutMs} ms, however slowly the server kept sending); raise it or check the server`
          : kind === 'idle'
            ? `${method} ${url} timed out; raise timeoutMs (${timeoutMs} ms without a byte), or check the server`
            : `${method} ${url} could not connect within timeoutMs (${timeoutMs} ms); check the URL, the network and that the server is up`;
      return new MlmmTimeoutError({
        reason: 'ERR_MLMM_TIMEOUT',
        msg: text,
        detail,
        method,
        url,
        kind,
        timeoutMs: kind === 'total' ? totalTimeoutMs : timeoutMs,
        cause,
      });
    }
    const failure = describeTransportFailure(record, displayPrefix);
    return new MlmmNetworkError({
      reason: 'ERR_MLMM_NETWORK',
      msg: failure?.msg ?? text,
      detail: `${method} ${url} ${failure?.detail ?? 'failed before an HTTP answer; check the URL, the network and that the server is up'}`,
      method,
      url,
      networkCode: systemCode,
      cause,
    });
  }

  /** docs/reference/mlmm-api.md §7: the error of a non-2xx response. Only the body's `code` is used, never the status. */
  function httpError(response: RawResponse): MlmmHttpError {
    const decoded = decodeJson(response.body);
    let code = 0;
    let msg = 'Unexpected error';
    let cid: unknown;
    if (isRecord(decoded)) {
      if (typeof decoded['code'] === 'number' && Number.isInteger(decoded['code'])) code = decoded['code'];
      if (typeof decoded['msg'] === 'string' && decoded['msg'] !== '') msg = redact(decoded['msg']);
      cid = decoded['cid'];
    }
    const where = `${response.method} ${response.url} answered HTTP ${response.status}${typeof cid === 'string' ? ` (cid ${cid})` : ''}`;
    const common = { status: response.status, method: response.method, url: response.url, body: snippet(response.body) };
    if (code === 5) {
      return new MlmmTokenError({
        reason: 'ERR_MLMM_TOKEN',
        code,
        msg: isRecord(decoded) && typeof decoded['msg'] === 'string' ? msg : 'Token invalid or expired',
        detail: `${where}; check the token and authType ('standalone' sends standAloneToken, 'bearer' sends Authorization: Bearer), and renew an expired token`,
        ...common,
      });
    }
    let hint: string;
    if (response.status === 404) {
      hint =
        domain === undefined
          ? `; the server does not know this path: check that the URL ends with /mlmodelmanager, and for servers older than 2.4.0 use the legacy layout (pass domain)`
          : `; the server does not know this path: servers 2.4.0 and newer use the modern layout (omit domain '${domain}')`;
    } else if (response.status >= 300 && response.status < 400) {
      const location = response.headers['location'];
      hint = `; redirects are not followed (they could carry the token elsewhere)${typeof location === 'string' ? `: use ${displayUrl(location)} as the base URL` : ''}`;
    } else if (response.status >= 500) {
      hint = '; the server failed: check the request (engine, file) and retry later';
    } else {
      hint = '';
    }
    return new MlmmHttpError({ reason: 'ERR_MLMM_HTTP_STATUS', code, msg, detail: `${where}${hint}`, ...common });
  }

  function isRetryable(error: MlmmError): boolean {
    if (MlmmTokenError.isInstance(error)) return false;
    if (MlmmHttpError.isInstance(error)) return retry.statusCodes.includes(error.status);
    if (MlmmNetworkError.isInstance(error)) return error.networkCode !== undefined && retry.errorCodes.includes(error.networkCode);
    return false;
  }

  async function sendOnce(spec: RequestSpec, signal: AbortSignal | undefined, remainingMs: number): Promise<RawResponse> {
    const url = `${displayPrefix}/${spec.path}`;
    if (signal?.aborted) throw abortError(spec.method, url, signal);
    // A stream, not a buffered body: the decompressed bytes are counted as they arrive, so an
    // oversized or gzip-bomb reply is cut off at the limit instead of filling memory.
    const stream = instance.stream(spec.path, {
      method: spec.method,
      ...(Number.isFinite(remainingMs)
        ? { timeout: { connect: timeoutMs, secureConnect: timeoutMs, socket: timeoutMs, request: Math.max(1, remainingMs) } }
        : {}),
      ...(spec.body === undefined ? {} : { body: spec.body }),
      ...(spec.contentType === undefined ? {} : { headers: { 'content-type': spec.contentType } }),
    });
    // The signal is wired here rather than given to got, whose listener would outlive the
    // request and destroy the finished stream (an uncaught error) on a later abort.
    const onAbort = (): void => {
      stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let response: PlainResponse;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      [response] = (await once(stream, 'response')) as [PlainResponse];
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > spec.maxBytes.limit) throw tooLarge(spec, url, response.statusCode);
        chunks.push(chunk);
      }
    } catch (error) {
      stream.destroy();
      if (MlmmError.isInstance(error)) throw error;
      throw transportError(error, spec.method, url, signal);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const raw: RawResponse = {
      status: response.statusCode,
      headers: response.headers,
      body: Buffer.concat(chunks, size),
      method: spec.method,
      url,
    };
    if (raw.status < 200 || raw.status >= 300) {
      const error = httpError(raw);
      const retryAfter = raw.headers['retry-after'];
      if (typeof retryAfter === 'string') retryAfterOf.set(error, retryAfter);
      throw error;
    }
    return raw;
  }

  function tooLarge(spec: RequestSpec, url: string, status: number): MlmmResponseError {
    const { limit, option } = spec.maxBytes;
    return new MlmmResponseError({
      reason: 'ERR_MLMM_RESPONSE_TOO_LARGE',
      msg: `Response too large: more than ${limit} bytes`,
      detail:
        `${spec.method} ${url} sent a body of more than ${limit} bytes (after decompression) and was cut off; ` +
        `if the server is right, raise ${option} (at most ${MAX_BODY_BYTES}), else check the URL and the server`,
      status,
      method: spec.method,
      url,
      body: '',
    });
  }

  async function send(spec: RequestSpec): Promise<RawResponse> {
    const signal = combinedSignal(spec.signal);
    const errors: MlmmError[] = [];
    const deadline = now() + totalTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await sendOnce(spec, signal, deadline - now());
      } catch (error) {
        if (!MlmmError.isInstance(error)) throw error;
        errors.push(error);
        if (!spec.retryable || !isRetryable(error)) throw error;
        if (attempt > retry.limit) throw errors.length > 1 ? new MlmmRetryError(errors) : error;
        const retryAfterHeader = MlmmHttpError.isInstance(error) ? retryAfterOf.get(error) : undefined;
        const retryAfter = parseRetryAfter(retryAfterHeader, now, retry.maxRetryAfterMs);
        const delayMs = retryAfter ?? backoffDelay(attempt, retry, random);
        // No time left for a useful attempt after the wait: give up now.
        if (now() + delayMs >= deadline) throw errors.length > 1 ? new MlmmRetryError(errors) : error;
        const url = `${displayPrefix}/${spec.path}`;
        options.onRetry?.({ attempt, delayMs, error, method: spec.method, url });
        try {
          await sleep(delayMs, signal);
        } catch (sleepError) {
          if (signal?.aborted) throw abortError(spec.method, url, signal);
          throw sleepError;
        }
        if (signal?.aborted) throw abortError(spec.method, url, signal);
      }
    }
  }

  /** The decoded JSON of a 2xx reply (`null` when empty); a reply that is not JSON at all is an error, not "absent". */
  function decodeReply(response: RawResponse, what: string): unknown {
    const decoded = decodeJson(response.body);
    if (decoded !== undefined) return decoded;
    const html = /^\s*</.test(response.body.toString('utf8', 0, 512)) || /html/i.test(String(response.headers['content-type'] ?? ''));
    throw new MlmmResponseError({
      reason: 'ERR_MLMM_RESPONSE_INVALID',
      msg: `the Model Manager at ${displayPrefix} answered with ${html ? 'HTML, not JSON' : 'something that is not JSON'}: check the URL`,
      detail:
        `${response.method} ${response.url} answered HTTP ${response.status} with that instead of ${what}; ` +
        "the URL should be the Model Manager's API (e.g. https://api-us.devo.com/mlmodelmanager/), not a web page or a proxy's login page",
      status: response.status,
      method: response.method,
      url: response.url,
      body: snippet(response.body),
    });
  }

  function responseError(response: RawResponse, problem: string, what: string): MlmmResponseError {
    return new MlmmResponseError({
      reason: 'ERR_MLMM_RESPONSE_INVALID',
      msg: `Unexpected response: ${problem}`,
      detail: `${response.method} ${response.url} answered HTTP ${response.status} with ${what} that does not match the protocol; is the URL a Model Manager?`,
      status: response.status,
      method: response.method,
      url: response.url,
      body: snippet(response.body),
    });
  }

  async function lookUp(name: string, fast: boolean, signal: AbortSignal | undefined): Promise<Record<string, unknown> | null> {
    const response = await send({
      method: 'GET',
      path: `models/${pythonQuote(name)}?fast=${fast ? 'True' : 'False'}`,
      retryable: true,
      maxBytes: fast ? jsonLimit : { limit: maxDownloadBytes, option: 'maxDownloadBytes' },
      signal,
    });
    const decoded = decodeReply(response, 'a model');
    if (isPythonFalsy(decoded)) return null;
    const problem = modelProblem(decoded);
    if (problem !== undefined) throw responseError(response, problem, 'a model');
    const model = decoded as Record<string, unknown>;
    if (!fast) {
      const image = model['image'];
      if (!isRecord(image) || typeof image['image'] !== 'string') {
        throw responseError(response, '"image.image" should be the base64 model file', 'a model');
      }
    }
    return model;
  }

  function withoutImage(model: Record<string, unknown>): MlmmModel {
    const rest = { ...model };
    delete rest['image'];
    return rest as MlmmModel;
  }

  function notFound(name: string): MlmmModelNotFoundError {
    return new MlmmModelNotFoundError({
      reason: 'ERR_MLMM_MODEL_NOT_FOUND',
      msg: `'${name}'`,
      detail: `no model named '${name}' at ${displayPrefix}; list the models to check the name (names are exact and case-sensitive)`,
      modelName: name,
    });
  }

  function fileError(msg: string, detail: string, cause: unknown): MlmmError {
    const record = isRecord(cause) ? cause : {};
    const safeCause = Object.assign(new Error(String(record['message'] ?? cause)), typeof record['code'] === 'string' ? { code: record['code'] } : {});
    return new MlmmError({ reason: 'ERR_MLMM_FILE_SYSTEM', msg, detail, cause: safeCause });
  }

  async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
    const folder = dirname(file);
    await mkdir(folder, { recursive: true });
    for (let tries = 0; ; tries++) {
      const temp = join(folder, `.${basename(file)}.${randomHex(random, 12)}.tmp`);
      let handle;
      try {
        handle = await open(temp, 'wx');
      } catch (error) {
        if (isRecord(error) && error['code'] === 'EEXIST' && tries < 10) continue;
        throw error;
      }
      try {
        await handle.writeFile(bytes);
        await handle.sync();
        await handle.close();
        await rename(temp, file);
      } catch (error) {
        await handle.close().catch(() => undefined);
        await rm(temp, { force: true });
        throw error;
      }
      return;
    }
  }

  function expandHome(path: string): string {
    if (path === '~') return homedir();
    if (path.startsWith('~/')) return join(homedir(), path.slice(2));
    return path;
  }

  return {
    async listModels(callOptions?: MlmmCallOptions): Promise<MlmmModelSummary[]> {
      const response = await send({ method: 'GET', path: 'models', retryable: true, maxBytes: jsonLimit, signal: callOptions?.signal });
      if (response.status === 204 && response.body.length === 0) return [];
      const decoded = decodeReply(response, 'a model list');
      const problem = listProblem(decoded);
      if (problem !== undefined) throw responseError(response, problem, 'a model list');
      return decoded as MlmmModelSummary[];
    },

    async getModel(name: string, callOptions?: MlmmCallOptions): Promise<MlmmModel> {
      validateName(name);
      const model = await lookUp(name, true, callOptions?.signal);
      if (model === null) throw notFound(name);
      return withoutImage(model);
    },

    async findModel(name: string, callOptions?: MlmmCallOptions): Promise<MlmmModel | null> {
      validateName(name);
      const model = await lookUp(name, true, callOptions?.signal);
      return model === null ? null : withoutImage(model);
    },

    async downloadModel(name: string, downloadOptions: MlmmDownloadOptions): Promise<MlmmDownloadResult> {
      validateName(name);
      if (!isRecord(downloadOptions) || typeof downloadOptions.directory !== 'string' || downloadOptions.directory === '') {
        throw usage('Invalid directory', `downloadModel('${name}', { directory }) needs the folder to write the model file into`);
      }
      const explicitName = downloadOptions.fileName;
      const unsafe = (candidate: string): boolean =>
        candidate === '' || candidate === '.' || candidate === '..' || /[/\\\0]/.test(candidate);
      if (explicitName !== undefined && unsafe(explicitName)) {
        throw usage(`Invalid file name: '${explicitName}'`, 'options.fileName must be a plain file name without "/" or "\\"');
      }
      if (explicitName === undefined && unsafe(name)) {
        throw new MlmmError({
          reason: 'ERR_MLMM_INVALID_NAME',
          msg: `Invalid file name: '${name}'`,
          detail: `the model name cannot be used as a file name inside ${downloadOptions.directory}; pass options.fileName`,
        });
      }
      const model = await lookUp(name, false, downloadOptions.signal);
      if (model === null) throw notFound(name);
      const image = model['image'] as Record<string, unknown>;
      const encoded = (image['image'] as string).replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
        throw new MlmmResponseError({
          reason: 'ERR_MLMM_RESPONSE_INVALID',
          msg: 'Unexpected response: "image.image" is not valid base64',
          detail: `GET ${displayPrefix}/models/${pythonQuote(name)}?fast=False returned a model whose file cannot be decoded`,
          status: 200,
          method: 'GET',
          url: `${displayPrefix}/models/${pythonQuote(name)}?fast=False`,
          body: `${encoded.slice(0, 80)}…`,
        });
      }
      const bytes = Buffer.from(encoded, 'base64');
      const declared = image['size'];
      if (typeof declared === 'number' && Number.isInteger(declared) && declared !== bytes.length) {
        const url = `${displayPrefix}/models/${pythonQuote(name)}?fast=False`;
        throw new MlmmResponseError({
          reason: 'ERR_MLMM_RESPONSE_INVALID',
          msg: `Unexpected response: "image.size" says ${declared} bytes but "image.image" decodes to ${bytes.length}`,
          detail: `GET ${url} returned a truncated or substituted model file; nothing was written. Retry, or check the URL and any proxy in between`,
          status: 200,
          method: 'GET',
          url,
          body: `${encoded.slice(0, 80)}…`,
        });
      }
      await downloadOptions.verify?.(bytes);
      const engine = typeof model['engine'] === 'string' ? model['engine'] : '';
      const file = resolve(downloadOptions.directory, explicitName ?? `${name}${mlmmEngineExtension(engine)}`);
      try {
        await writeFileAtomic(file, bytes);
      } catch (error) {
        throw fileError(`Cannot write ${file}`, 'check that the directory is writable and the disk has space', error);
      }
      return { ...withoutImage(model), file };
    },

    async addModel(
      name: string,
      engine: MlmmEngine | (string & {}),
      fileOrBytes: string | Uint8Array,
      addOptions: MlmmAddModelOptions = {},
    ): Promise<MlmmAddModelResult> {
      validateName(name);
      if (typeof engine !== 'string' || engine === '') {
        throw usage(`Invalid engine: '${String(engine)}'`, `addModel('${name}', engine, …) needs an engine such as 'ONNX'`);
      }
      let bytes: Uint8Array;
      let fileName: string;
      if (typeof fileOrBytes === 'string') {
        const path = resolve(expandHome(fileOrBytes));
        try {
          bytes = await readFile(path);
        } catch (error) {
          throw fileError(`Cannot read ${path}`, `addModel('${name}') needs a readable model file`, error);
        }
        fileName = addOptions.fileName ?? basename(path);
      } else if (fileOrBytes instanceof Uint8Array) {
        bytes = fileOrBytes;
        fileName = addOptions.fileName ?? `${basename(name)}${mlmmEngineExtension(engine)}`;
      } else {
        throw usage('Invalid model file', `addModel('${name}', engine, file) needs a path or a Uint8Array`);
      }
      if (fileName === '') throw usage('Invalid file name', 'options.fileName must not be empty');
      const signal = addOptions.signal;

      // 1. Look the name up (fast=True).
      const existing = await lookUp(name, true, signal);
      // 2. Refuse without force; nothing is uploaded.
      if (existing !== null && addOptions.force !== true) {
        throw new MlmmModelAlreadyExistsError({
          reason: 'ERR_MLMM_MODEL_ALREADY_EXISTS',
          msg: `'${name}'`,
          detail: `a model named '${name}' already exists (id ${String(existing['id'])}); pass force: true to replace it in place`,
          modelName: name,
          modelId: existing['id'] as number,
        });
      }
      // 3. Upload (never retried).
      const multipart = buildModelMultipart(engine, fileName, bytes, random);
      const uploadResponse = await send({
        method: 'POST',
        path: 'models/images/upload',
        body: multipart.body,
        contentType: multipart.contentType,
        retryable: false,
        maxBytes: jsonLimit,
        signal,
      });
      const review = decodeReply(uploadResponse, 'an upload review');
      const problem = reviewProblem(review);
      if (problem !== undefined) throw responseError(uploadResponse, problem, 'an upload review');
      const reviewRecord = review as Record<string, unknown>;
      if (reviewRecord['valid'] !== true) {
        const detail = typeof reviewRecord['errorDetail'] === 'string' && reviewRecord['errorDetail'] !== '' ? reviewRecord['errorDetail'] : 'Invalid model file';
        throw new MlmmModelRejectedError({
          reason: 'ERR_MLMM_MODEL_REJECTED',
          msg: detail,
          detail: `the server rejected ${fileName} for engine ${engine}; nothing was saved: check that the file is a valid ${engine} model`,
          review: reviewRecord,
        });
      }
      // 4. Save, in the Python client's key order (docs/reference/mlmm-api.md §4.4); never retried.
      const description =
        addOptions.description ?? (existing === null ? null : ((existing['description'] as string | null | undefined) ?? null));
      const saveBody: Record<string, unknown> = {
        name,
        engine,
        description,
        image: { id: reviewRecord['imageId'], size: reviewRecord['size'] },
        outputType: reviewRecord['outputType'] ?? null,
        fields: reviewRecord['fields'] ?? null,
        clusters: reviewRecord['clusters'] ?? null,
        category: reviewRecord['category'] ?? null,
        runtimeSize: reviewRecord['runtimeSize'] ?? null,
        hidden: false,
      };
      if (existing !== null) saveBody['id'] = existing['id'];
      await send({
        method: 'POST',
        path: 'models',
        body: Buffer.from(pythonJsonDumps(saveBody), 'utf8'),
        contentType: 'application/json',
        retryable: false,
        maxBytes: jsonLimit,
        signal,
      });
      return existing === null
        ? { action: 'created', review: reviewRecord as MlmmReview }
        : { action: 'updated', previousId: existing['id'] as number, review: reviewRecord as MlmmReview };
    },
  };
}
