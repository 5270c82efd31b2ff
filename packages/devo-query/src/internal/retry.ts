import { DevoQueryError } from '../errors';
import type { QueryClientOptions, QueryRetryEvent, QueryRetryOptions } from '../query-types';

/** The retry settings of a client, validated, with their defaults (see `QueryRetryOptions`). */
export type ResolvedRetry = Required<Omit<QueryRetryOptions, 'statusCodes' | 'errorCodes'>> & {
  statusCodes: ReadonlySet<number>;
  errorCodes: ReadonlySet<string>;
  random: () => number;
  onRetry: ((event: QueryRetryEvent) => void) | undefined;
};

const defaults: Required<QueryRetryOptions> = {
  limit: 2,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  jitter: true,
  maxRetryAfterMs: 30_000,
  statusCodes: [429, 500, 502, 503, 504],
  // Connection failures: the server never answered, so retrying cannot duplicate an effect we see.
  errorCodes: ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED'],
};

function invalid(detail: string): DevoQueryError {
  return new DevoQueryError('ERR_QUERY_INVALID_OPTION', `Invalid query client option "retry": ${detail}`);
}

/** Validates `options.retry` (a limit or {@link QueryRetryOptions}) and fills in the defaults; throws `ERR_QUERY_INVALID_OPTION`. */
export function resolveRetry(options: QueryClientOptions): ResolvedRetry {
  const given: QueryRetryOptions = typeof options.retry === 'number' ? { limit: options.retry } : (options.retry ?? {});
  const unknown = Object.keys(given).find((key) => !(key in defaults));
  if (unknown !== undefined) throw invalid(`unknown key "${unknown}"; it takes ${Object.keys(defaults).join(', ')}.`);
  const settings = { ...defaults, ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) };
  if (!Number.isInteger(settings.limit) || settings.limit < 0) throw invalid(`limit ${String(settings.limit)} is not a non-negative integer.`);
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    if (!(settings[key] >= 0)) throw invalid(`${key} ${String(settings[key])} is not a non-negative number of milliseconds.`);
  }
  return {
    ...settings,
    statusCodes: new Set(settings.statusCodes),
    errorCodes: new Set(settings.errorCodes),
    random: options.random ?? Math.random,
    onRetry: options.onRetry,
  };
}

/**
 * The wait before retry `retry` (from 1): `min(maxDelayMs, baseDelayMs · 2^(retry-1))`, or with
 * `jitter` a uniform draw below it ("full jitter").
 */
export function backoffDelay(retry: number, settings: ResolvedRetry): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retry - 1));
  return settings.jitter ? Math.floor(settings.random() * ceiling) : ceiling;
}
