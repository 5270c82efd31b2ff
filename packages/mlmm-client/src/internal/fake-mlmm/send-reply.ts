import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { RecordedRequest } from '../../fake-mlmm-types';

/**
 * Answers with `body` (an object as JSON, a string as HTML, bytes as octet-stream), gzipped on
 * request, written one byte per `trickleMs` when that is positive; records the status.
 */
export function sendReply(
  response: ServerResponse,
  record: RecordedRequest,
  trickleMs: number,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
  gzip = false,
): void {
  record.status = status;
  if (status === 204 || body === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  let payload: Buffer;
  let contentType = 'application/json';
  if (typeof body === 'string') {
    payload = Buffer.from(body, 'utf8');
    contentType = 'text/html; charset=utf-8';
  } else if (body instanceof Uint8Array) {
    payload = Buffer.from(body);
    contentType = 'application/octet-stream';
  } else {
    payload = Buffer.from(JSON.stringify(body), 'utf8');
  }
  if (gzip) {
    payload = gzipSync(payload);
    headers = { 'content-encoding': 'gzip', ...headers };
  }
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(payload.length), ...headers });
  if (trickleMs <= 0) {
    response.end(payload);
    return;
  }
  let sent = 0;
  const timer = setInterval(() => {
    sent += 1;
    if (sent < payload.length) response.write(payload.subarray(sent - 1, sent));
    else response.end(payload.subarray(sent - 1));
  }, trickleMs);
  response.on('close', () => clearInterval(timer));
}
