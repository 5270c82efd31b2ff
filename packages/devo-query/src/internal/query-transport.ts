import { setTimeout as sleep } from 'node:timers/promises';
import got, { type Got } from 'got';
import { DevoQueryError, QueryHttpError } from '../errors';
import type { QueryClientOptions } from '../query-types';
import { VERSION } from '../version';
import { signRequest } from './sign';
import { abortError, isConnectionFailure, timeoutError, translate, type Timeouts } from './query-errors';
import { backoffDelay, resolveRetry, type ResolvedRetry } from './retry';

/**
 * Accepts `https://host`, `https://host/`, `https://host/search/query` and
 * `https://host/search/query/` (also with a path prefix), and returns the base without a slash.
 */
export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTION', `Invalid query client option "url": ${JSON.stringify(url.slice(0, 200))} is not an absolute URL; pass e.g. "https://apiv2-eu.devo.com".`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTION', `Invalid query client option "url": protocol ${parsed.protocol} is not http: or https:.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTION', 'Invalid query client option "url": credentials in the URL are not supported; use the "auth" option.');
  }
  let path = parsed.pathname.replace(/\/+$/, '');
  if (path.endsWith('/search/query')) path = path.slice(0, -'/search/query'.length);
  return `${parsed.origin}${path}`;
}

/** A client's validated options, its got instance and the helpers every request uses. */
export interface QueryTransport {
  http: Got;
  now: () => number;
  timeouts: Timeouts;
  retry: ResolvedRetry;
  /** The headers of a request with this body: content type and credentials (docs/reference/devo-query-api.md §2). */
  authHeaders: (body: string) => Record<string, string>;
  /** When a call started now must end (epoch ms of `now`), or infinity without `totalTimeoutMs`. */
  deadlineFromNow: () => number;
  /** got's `request` timeout for an attempt: what is left of the deadline (got ends the request when it runs out). */
  remainingTimeout: (deadline: number) => { timeout?: { request: number } };
}

/** Validates the options (throws `ERR_QUERY_INVALID_OPTION`) and builds the transport. */
export function createQueryTransport(options: QueryClientOptions): QueryTransport {
  const baseUrl = normalizeBaseUrl(options.url);
  const auth = options.auth;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const totalTimeoutMs = options.totalTimeoutMs;
  const timeouts: Timeouts = { idleMs: timeoutMs, connectMs: Math.min(timeoutMs, 30_000), totalMs: totalTimeoutMs };
  const now = options.now ?? Date.now;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new DevoQueryError('ERR_QUERY_INVALID_OPTION', `Invalid query client option "timeoutMs": ${timeoutMs} is not a positive number of milliseconds.`);
  if (totalTimeoutMs !== undefined && !(Number.isFinite(totalTimeoutMs) && totalTimeoutMs > 0)) {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTION', `Invalid query client option "totalTimeoutMs": ${totalTimeoutMs} is not a positive number of milliseconds.`);
  }
  if (auth.type === 'token' ? auth.token === '' : auth.type === 'jwt' ? auth.jwt === '' : auth.apiKey === '' || auth.apiSecret === '') {
    throw new DevoQueryError('ERR_QUERY_INVALID_OPTION', `Invalid query client option "auth": the ${auth.type} credentials are empty.`);
  }
  const retry = resolveRetry(options);
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

  return {
    http,
    now,
    timeouts,
    retry,
    authHeaders(body) {
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
    },
    deadlineFromNow: () => (totalTimeoutMs === undefined ? Number.POSITIVE_INFINITY : now() + totalTimeoutMs),
    remainingTimeout: (deadline) => (Number.isFinite(deadline) ? { timeout: { request: Math.max(1, deadline - now()) } } : {}),
  };
}

/**
 * Runs `attempt`, retrying connection failures (and, with `retryStatus`, 429 and 5xx) with
 * exponential backoff or the server's `Retry-After`, within the deadline (docs/reference/devo-query-api.md §10).
 */
export async function withRetries<T>(
  transport: QueryTransport,
  request: string,
  signal: AbortSignal | undefined,
  deadline: number,
  attempt: () => Promise<T>,
  retryStatus: boolean,
): Promise<T> {
  const { now, timeouts } = transport;
  const { retry } = transport;
  for (let number = 1; ; number++) {
    if (signal?.aborted === true) throw abortError(request, signal);
    if (now() >= deadline) throw timeoutError('total', request, timeouts, undefined);
    try {
      return await attempt();
    } catch (error) {
      const failure = translate(error, request, signal, false, timeouts);
      if (!DevoQueryError.isInstance(failure)) throw failure;
      const retriable =
        isConnectionFailure(failure, retry.errorCodes) || (retryStatus && QueryHttpError.isInstance(failure) && retry.statusCodes.has(failure.status));
      if (!retriable || number > retry.limit || failure.code === 'ERR_QUERY_ABORTED') throw failure;
      const retryAfter = (failure as { retryAfterMs?: number }).retryAfterMs;
      const delayMs = retryAfter === undefined ? backoffDelay(number, retry) : Math.min(retry.maxRetryAfterMs, retryAfter);
      // No time left for another attempt after the wait: give up with what failed.
      if (now() + delayMs >= deadline) throw failure;
      retry.onRetry?.({ attempt: number, delayMs, request, error: failure });
      try {
        await sleep(delayMs, undefined, signal === undefined ? {} : { signal });
      } catch {
        throw abortError(request, signal);
      }
    }
  }
}
