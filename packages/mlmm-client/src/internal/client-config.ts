import { setTimeout as delay } from 'node:timers/promises';
import { MlmmError } from '../mlmm-error';
import type { MlmmAuthType, MlmmClientOptions, MlmmRetryEvent } from '../mlmm-types';
import type { ResolvedRetry } from './retry';
import { isRecord } from './validate';

const defaultRetry: ResolvedRetry = {
  limit: 2,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  jitter: true,
  maxRetryAfterMs: 30_000,
  statusCodes: [429, 500, 502, 503, 504],
  errorCodes: ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN'],
};
export const MIB: number = 1024 * 1024;
/** Bodies are decoded as one string: V8's longest is just under 2^29 characters. */
export const MAX_BODY_BYTES: number = 512 * MIB;

function byteLimit(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_BODY_BYTES) {
    throw usage(`Invalid ${name}: ${JSON.stringify(value)}`, `options.${name} must be a whole number of bytes from 1 to ${MAX_BODY_BYTES} (512 MiB)`);
  }
  return value;
}

export function usage(msg: string, detail: string): MlmmError {
  return new MlmmError({ code: 'ERR_MLMM_INVALID_OPTION', msg, detail });
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
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}

export function validateName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new MlmmError({
      code: 'ERR_MLMM_INVALID_NAME',
      msg: `Invalid name: '${typeof name === 'string' ? name : String(name)}'`,
      detail: 'pass a non-empty model name',
    });
  }
  if (name.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new MlmmError({
      code: 'ERR_MLMM_INVALID_NAME',
      msg: `Invalid name: '${name}'`,
      detail: 'a name with "." or ".." path segments cannot be addressed: URLs normalise them away (the Python client has the same limit)',
    });
  }
  return name;
}

/** The client's options, validated, with their defaults filled in. */
export interface ClientConfig {
  token: string;
  authType: MlmmAuthType;
  domain: string | undefined;
  timeoutMs: number;
  totalTimeoutMs: number;
  retry: ResolvedRetry;
  maxResponseBytes: number;
  maxDownloadBytes: number;
  /** The byte limit of a JSON reply, and the option that sets it. */
  jsonLimit: { readonly limit: number; readonly option: 'maxResponseBytes' };
  random: () => number;
  sleep: (milliseconds: number, signal?: AbortSignal) => Promise<unknown>;
  now: () => number;
  clientSignal: AbortSignal | undefined;
  /** The base URL with the legacy domain path, if any. */
  prefix: string;
  /** `prefix` without user info or trailing `/`, for messages. */
  displayPrefix: string;
  userAgent: string | undefined;
  onRetry: ((event: MlmmRetryEvent) => void) | undefined;
}

/** Validates {@link MlmmClientOptions} before any traffic; throws `ERR_MLMM_INVALID_OPTION`. */
export function resolveClientConfig(options: MlmmClientOptions): ClientConfig {
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
  const unknownRetryOption = typeof retryOption === 'object' ? Object.keys(retryOption).find((key) => !(key in defaultRetry)) : undefined;
  if (unknownRetryOption !== undefined) {
    throw usage(`Unknown retry option: '${unknownRetryOption}'`, `options.retry takes ${Object.keys(defaultRetry).join(', ')}`);
  }
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
  return {
    token,
    authType,
    domain,
    timeoutMs,
    totalTimeoutMs,
    retry,
    maxResponseBytes,
    maxDownloadBytes,
    jsonLimit,
    random,
    sleep,
    now,
    clientSignal,
    prefix,
    displayPrefix,
    userAgent: options.userAgent,
    onRetry: options.onRetry,
  };
}
