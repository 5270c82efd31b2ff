import {
  MlmmAbortError,
  type MlmmError,
  MlmmHttpError,
  MlmmNetworkError,
  MlmmResponseError,
  MlmmTimeoutError,
  MlmmTokenError,
} from '../mlmm-error';
import { displayUrl, MAX_BODY_BYTES, type ClientConfig } from './client-config';
import type { RawResponse, RequestSpec } from './transport';
import { isRecord } from './validate';

const BODY_SNIPPET = 500;

/** The JSON of `body`: `null` when empty, `undefined` when it is not JSON. */
export function decodeJson(body: Buffer): unknown {
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

/** `text` with the token replaced by `[redacted]`. */
export function redact(config: ClientConfig, text: string): string {
  return text.replaceAll(config.token, '[redacted]');
}

/** The start of a body for an error, token redacted. */
export function snippet(config: ClientConfig, body: Buffer): string {
  const text = redact(config, body.toString('utf8'));
  return text.length > BODY_SNIPPET ? `${text.slice(0, BODY_SNIPPET)}… (${text.length} characters)` : text;
}

/** The error of a call cancelled by its AbortSignal. */
export function abortError(method: string, url: string, signal: AbortSignal): MlmmAbortError {
  return new MlmmAbortError({
    code: 'ERR_MLMM_ABORTED',
    msg: 'The operation was aborted',
    detail: `${method} ${url} was cancelled by the caller's AbortSignal`,
    cause: signal.reason,
  });
}

/** The error of a request that got no usable HTTP answer. */
export function transportError(config: ClientConfig, error: unknown, method: string, url: string, signal: AbortSignal | undefined): MlmmError {
  const { timeoutMs, totalTimeoutMs, displayPrefix } = config;
  if (signal?.aborted) return abortError(method, url, signal);
  const record = isRecord(error) ? error : {};
  // One line: OpenSSL's messages end with a newline.
  const text = redact(config, typeof record['message'] === 'string' ? record['message'] : String(error)).replace(/\s*\n\s*/g, ' ').trim();
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
      code: 'ERR_MLMM_TIMEOUT',
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
    code: 'ERR_MLMM_NETWORK',
    msg: failure?.msg ?? text,
    detail: `${method} ${url} ${failure?.detail ?? 'failed before an HTTP answer; check the URL, the network and that the server is up'}`,
    method,
    url,
    networkCode: systemCode,
    cause,
  });
}

/** docs/reference/mlmm-api.md §7: the error of a non-2xx response. Only the body's `code` is used, never the status. */
export function httpError(config: ClientConfig, response: RawResponse): MlmmHttpError {
  const { domain } = config;
  const decoded = decodeJson(response.body);
  let serverCode = 0;
  let msg = 'Unexpected error';
  let cid: unknown;
  if (isRecord(decoded)) {
    if (typeof decoded['code'] === 'number' && Number.isInteger(decoded['code'])) serverCode = decoded['code'];
    if (typeof decoded['msg'] === 'string' && decoded['msg'] !== '') msg = redact(config, decoded['msg']);
    cid = decoded['cid'];
  }
  const where = `${response.method} ${response.url} answered HTTP ${response.status}${typeof cid === 'string' ? ` (cid ${cid})` : ''}`;
  const common = { status: response.status, method: response.method, url: response.url, body: snippet(config, response.body) };
  if (serverCode === 5) {
    return new MlmmTokenError({
      code: 'ERR_MLMM_TOKEN',
      serverCode,
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
  return new MlmmHttpError({ code: 'ERR_MLMM_HTTP_STATUS', serverCode, msg, detail: `${where}${hint}`, ...common });
}

/** The error of a reply cut off at its byte limit. */
export function tooLarge(spec: RequestSpec, url: string, status: number): MlmmResponseError {
  const { limit, option } = spec.maxBytes;
  return new MlmmResponseError({
    code: 'ERR_MLMM_RESPONSE_TOO_LARGE',
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

/** The decoded JSON of a 2xx reply (`null` when empty); a reply that is not JSON at all is an error, not "absent". */
export function decodeReply(config: ClientConfig, response: RawResponse, what: string): unknown {
  const decoded = decodeJson(response.body);
  if (decoded !== undefined) return decoded;
  const html = /^\s*</.test(response.body.toString('utf8', 0, 512)) || /html/i.test(String(response.headers['content-type'] ?? ''));
  throw new MlmmResponseError({
    code: 'ERR_MLMM_RESPONSE_INVALID',
    msg: `the Model Manager at ${config.displayPrefix} answered with ${html ? 'HTML, not JSON' : 'something that is not JSON'}: check the URL`,
    detail:
      `${response.method} ${response.url} answered HTTP ${response.status} with that instead of ${what}; ` +
      "the URL should be the Model Manager's API (e.g. https://api-us.devo.com/mlmodelmanager/), not a web page or a proxy's login page",
    status: response.status,
    method: response.method,
    url: response.url,
    body: snippet(config, response.body),
  });
}

/** The error of a 2xx reply that does not match the protocol. */
export function responseError(config: ClientConfig, response: RawResponse, problem: string, what: string): MlmmResponseError {
  return new MlmmResponseError({
    code: 'ERR_MLMM_RESPONSE_INVALID',
    msg: `Unexpected response: ${problem}`,
    detail: `${response.method} ${response.url} answered HTTP ${response.status} with ${what} that does not match the protocol; is the URL a Model Manager?`,
    status: response.status,
    method: response.method,
    url: response.url,
    body: snippet(config, response.body),
  });
}
