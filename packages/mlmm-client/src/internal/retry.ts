import type { MlmmRetryOptions } from '../mlmm-types';

/** Resolved retry settings (see `MlmmRetryOptions` for the documented defaults). */
export type ResolvedRetry = Required<MlmmRetryOptions>;

/**
 * Exponential backoff capped at `maxDelayMs`, with full jitter (a uniform draw in
 * [0, min(maxDelayMs, baseDelayMs · 2^(retry-1)))) unless `jitter` is off. `retry` counts from 1.
 */
export function backoffDelay(retry: number, settings: ResolvedRetry, random: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retry - 1));
  return settings.jitter ? Math.floor(random() * ceiling) : ceiling;
}

/**
 * Parses a `Retry-After` header (delta seconds or an HTTP date) into milliseconds, bounded by
 * `maxMs`; `undefined` when absent or unparseable.
 */
export function parseRetryAfter(header: string | undefined, now: () => number, maxMs: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  let milliseconds: number;
  if (/^\d+$/.test(text)) {
    milliseconds = Number(text) * 1000;
  } else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    milliseconds = Math.max(0, date - now());
  }
  return Math.min(milliseconds, maxMs);
}
