import { createHmac } from 'node:crypto';

/**
 * Devo's API-key signature (docs/reference/devo-query-api.md §2, [C]): lowercase hex HMAC-SHA256 keyed with the secret over
 * `apiKey + body + timestamp`, all UTF-8. `body` must be byte-for-byte the body sent (`''` for GET).
 */
export function signRequest(apiKey: string, apiSecret: string, body: string, timestamp: string): string {
  return createHmac('sha256', apiSecret).update(apiKey + body + timestamp, 'utf8').digest('hex');
}
