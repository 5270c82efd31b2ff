import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import got, { type Got, type PlainResponse, type RequestFunction } from 'got';
import { MlmmError, MlmmHttpError, MlmmNetworkError, MlmmRetryError, MlmmTokenError } from '../mlmm-error';
import { VERSION } from '../version';
import type { ClientConfig } from './client-config';
import { backoffDelay, parseRetryAfter } from './retry';
import { abortError, httpError, tooLarge, transportError } from './transport-errors';

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
/** A reply read whole, with the request it answers. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  method: string;
  url: string;
}

/** One request to the Model Manager. */
export interface RequestSpec {
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

/** Sends requests to the Model Manager, retrying idempotent ones. */
export interface Transport {
  /** Sends `spec`, retrying as `config.retry` says; resolves with a 2xx reply, throws an {@link MlmmError}. */
  send: (spec: RequestSpec) => Promise<RawResponse>;
}

/** The HTTP transport of one client: got with the Python client's headers, byte limits, timeouts and retry. */
export function createTransport(config: ClientConfig): Transport {
  const { token, authType, timeoutMs, totalTimeoutMs, retry, random, sleep, now, clientSignal, prefix, displayPrefix } = config;
  const instance: Got = got.extend({
    prefixUrl: `${prefix}/`,
    headers: {
      'user-agent': config.userAgent ?? `@dga/mlmm-client/${VERSION}`,
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

  function combinedSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
    const signals = [clientSignal, signal].filter((item): item is AbortSignal => item !== undefined);
    if (signals.length === 0) return undefined;
    return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
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
      throw transportError(config, error, spec.method, url, signal);
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
      const error = httpError(config, raw);
      const retryAfter = raw.headers['retry-after'];
      if (typeof retryAfter === 'string') retryAfterOf.set(error, retryAfter);
      throw error;
    }
    return raw;
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
        config.onRetry?.({ attempt, delayMs, error, method: spec.method, url });
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

  return { send };
}
