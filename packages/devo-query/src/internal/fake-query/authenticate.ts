import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { FakeQueryServerOptions } from '../../fake-query-types';
import { signRequest } from '../sign';

const unauthorized = { error: { code: 401, message: 'Unauthorized' } };

function matchesSecret(expected: string, actual: string): boolean {
  const left = Buffer.from(expected);
  const right = Buffer.from(actual);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The 401 body of a request whose credentials `auth` does not accept (docs/reference/devo-query-api.md §2), or `undefined`. */
export function authenticate(auth: FakeQueryServerOptions['auth'], request: IncomingMessage, body: string): unknown {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const bearer = /^(?:Bearer|bearer) (.+)$/.exec(header);
    if (bearer !== null) return auth === undefined || auth.tokens?.includes(bearer[1]!) === true ? undefined : unauthorized;
    const jwt = /^jwt (.+)$/.exec(header);
    if (jwt !== null) return auth === undefined || auth.jwts?.includes(jwt[1]!) === true ? undefined : unauthorized;
    return unauthorized;
  }
  const apiKey = request.headers['x-logtrust-apikey'];
  const sign = request.headers['x-logtrust-sign'];
  const timestamp = request.headers['x-logtrust-timestamp'];
  if (typeof apiKey !== 'string' || typeof sign !== 'string' || typeof timestamp !== 'string') return unauthorized;
  if (auth === undefined) return undefined;
  const secret = auth.apiKeys?.[apiKey];
  if (secret === undefined) return unauthorized;
  if (!matchesSecret(signRequest(apiKey, secret, body, timestamp), sign)) {
    return { error: { code: 12, message: 'Invalid signature validation' } };
  }
  return undefined;
}
