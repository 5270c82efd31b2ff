import { RequestError } from 'got';
import { DevoQueryError, QueryHttpError, QueryResponseError, QueryTimeoutError, type QueryTimeoutKind } from '../errors';

/** The largest error body read, in bytes. */
export const BODY_LIMIT: number = 64 * 1024;
const CAUSE_LIMIT = 2000;
/** The docs/reference/devo-query-api.md §7.1 extraction rule, extended to keep the detail of `object` when `msg` is generic. */
export function extractServerError(status: number, text: string): { message: string; code: number | string | undefined; cid: string | undefined; timestamp: number | undefined } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { message: `Error code ${status} while invoking query`, code: undefined, cid: undefined, timestamp: undefined };
  }
  const record = body as Record<string, unknown>;
  const error = record.error;
  const errorRecord = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined;
  const details = Array.isArray(record.object) ? record.object.map(String) : undefined;
  let message: string;
  if (typeof record.msg === 'string' && record.msg !== '') message = record.msg;
  else if (typeof error === 'string') message = error;
  else if (typeof errorRecord?.message === 'string') message = errorRecord.message;
  else if (details !== undefined && details.length > 0) message = details.join(': ');
  else message = 'Error Launching Query';
  if (details !== undefined && details.length > 0 && message !== details.join(': ')) {
    const extra = details.filter((detail) => detail !== message);
    if (extra.length > 0) message = `${message}: ${extra.join(': ')}`;
  }
  // Task errors (docs/reference/devo-query-api.md §8) carry their code in `status` (100 not found, 101 cannot change status);
  // elsewhere `status` only repeats the HTTP status.
  const taskCode = typeof record.status === 'number' && record.status !== status && record.status !== 0 ? record.status : undefined;
  const rawCode = record.code ?? errorRecord?.code ?? taskCode;
  return {
    message,
    code: typeof rawCode === 'number' || typeof rawCode === 'string' ? rawCode : undefined,
    cid: typeof record.cid === 'string' ? record.cid : undefined,
    timestamp: typeof record.timestamp === 'number' ? record.timestamp : undefined,
  };
}

export function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters)` : text;
}

export function httpError(status: number, text: string, request: string): QueryHttpError {
  const extracted = extractServerError(status, text);
  const hint =
    status === 401 || status === 403
      ? 'Check the credentials, their region (URL) and the table permissions of the token.'
      : status === 400
        ? 'Check from/to (no ISO-8601 text; from must be before to) and the other query options.'
        : status >= 500
          ? 'Check the LINQ query; if it is valid, retry later and quote the cid to Devo support.'
          : 'Check the request options.';
  const cid = extracted.cid === undefined ? '' : ` (cid ${extracted.cid})`;
  const code = extracted.code === undefined ? '' : ` [code ${extracted.code}]`;
  return new QueryHttpError(`${request} failed with HTTP ${status}${code}: ${extracted.message}${cid}. ${hint}`, {
    status,
    serverCode: extracted.code,
    cid: extracted.cid,
    timestamp: extracted.timestamp,
    serverMessage: extracted.message,
    request,
    cause: truncate(text, CAUSE_LIMIT),
  });
}

/** A copy of a got/Node error without its options (which hold the auth headers). */
function sanitize(error: unknown): Error {
  const source = error as { name?: unknown; code?: unknown; message?: unknown };
  // One line: OpenSSL's messages end with a newline.
  const copy = new Error((typeof source.message === 'string' ? source.message : String(error)).replace(/\s*\n\s*/g, ' ').trim());
  copy.name = typeof source.name === 'string' ? source.name : 'Error';
  if (typeof source.code === 'string') (copy as Error & { code: string }).code = source.code;
  return copy;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error as { name?: unknown }).name === 'AbortError';
}

export function abortError(request: string, signal: AbortSignal | undefined): DevoQueryError {
  return new DevoQueryError('ERR_QUERY_ABORTED', `${request} was aborted by its AbortSignal.`, {
    request,
    cause: signal?.reason instanceof Error ? sanitize(signal.reason) : undefined,
  });
}

/** The timeouts of a client, for error messages: idle, connect, and the optional total. */
export interface Timeouts {
  idleMs: number;
  connectMs: number;
  totalMs: number | undefined;
}

/** Which of our timeouts a got `TimeoutError.event` is (`request` is got's name for the total one). */
function timeoutKind(event: unknown): QueryTimeoutKind {
  if (event === 'request') return 'total';
  if (event === 'lookup' || event === 'connect' || event === 'secureConnect') return 'connect';
  return 'idle';
}

export function timeoutError(kind: QueryTimeoutKind, request: string, timeouts: Timeouts, cause: Error | undefined): QueryTimeoutError {
  const timeoutMs = kind === 'total' ? (timeouts.totalMs ?? 0) : kind === 'connect' ? timeouts.connectMs : timeouts.idleMs;
  const message =
    kind === 'total'
      ? `${request}: not finished within ${timeoutMs} ms (total timeout, which arriving data does not extend). Raise "totalTimeoutMs", or narrow the query's time range.`
      : kind === 'idle'
        ? `${request}: no data for ${timeoutMs} ms (socket timeout). Raise "timeoutMs" for slow queries, read rows faster, or check the network.`
        : `${request}: no connection within ${timeoutMs} ms (connect timeout). Check the URL, DNS and network.`;
  return new QueryTimeoutError(message, { request, kind, timeoutMs, cause });
}

/**
 * Translates a got/Node error into ours. `started` = the response had begun. Anything else
 * (e.g. an exception thrown by the caller's `onProgress`) is returned unchanged.
 */
export function translate(error: unknown, request: string, signal: AbortSignal | undefined, started: boolean, timeouts: Timeouts): unknown {
  if (DevoQueryError.isInstance(error)) return error;
  if (isAbort(error, signal)) return abortError(request, signal);
  if (!(error instanceof RequestError) && typeof (error as { code?: unknown } | null)?.code !== 'string') return error;
  const source = error as { name?: unknown; code?: unknown; event?: unknown };
  const cause = sanitize(error);
  if (source.name === 'TimeoutError' || source.code === 'ETIMEDOUT') return timeoutError(timeoutKind(source.event), request, timeouts, cause);
  if (started) {
    return new QueryResponseError(
      'ERR_QUERY_TRUNCATED',
      `${request}: the connection closed before the response ended (${cause.message}). Retry the query, or narrow its time range.`,
      { request, cause },
    );
  }
  const origin = httpsOriginOf(error);
  if (origin !== undefined && /wrong.version.number|packet.length.too.long|http.request/i.test(cause.message)) {
    return new DevoQueryError(
      'ERR_QUERY_NETWORK',
      `${request}: the server at ${origin} does not speak HTTPS; use http://${origin.slice('https://'.length)}`,
      { request, cause },
    );
  }
  return new DevoQueryError('ERR_QUERY_NETWORK', `${request}: connection failed (${cause.message}). Check the URL, DNS and network.`, { request, cause });
}

/** `https://host:port` of the request a got error belongs to (no credentials, path or query), if it was HTTPS. */
function httpsOriginOf(error: unknown): string | undefined {
  const url = (error as { options?: { url?: unknown } }).options?.url;
  if (!(url instanceof URL) || url.protocol !== 'https:') return undefined;
  return `https://${url.host}`;
}

/** A connect timeout, or a network error whose system code is one of `errorCodes`: the server never answered. */
export function isConnectionFailure(error: DevoQueryError, errorCodes: ReadonlySet<string>): boolean {
  if (QueryTimeoutError.isInstance(error)) return error.kind === 'connect';
  if (error.code !== 'ERR_QUERY_NETWORK') return false;
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  return typeof cause?.code === 'string' && errorCodes.has(cause.code);
}
