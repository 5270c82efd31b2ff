import { QueryResponseError } from '../errors';
import { httpError, truncate } from './query-errors';
import { withRetries, type QueryTransport } from './query-transport';

/** `GET` of a JSON object whose `status` is 0 (docs/reference/devo-query-api.md §8, §9); retries 429 and 5xx too. */
export async function getJson(transport: QueryTransport, path: string, request: string, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
  const deadline = transport.deadlineFromNow();
  return withRetries(
    transport,
    request,
    signal,
    deadline,
    async () => {
      const response = await transport.http.get(path, {
        headers: transport.authHeaders(''),
        responseType: 'text',
        ...transport.remainingTimeout(deadline),
        ...(signal === undefined ? {} : { signal }),
      });
      if (response.statusCode !== 200) {
        const error = httpError(response.statusCode, response.body, request);
        const retryAfter = response.headers['retry-after'];
        if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) Object.assign(error, { retryAfterMs: Number(retryAfter) * 1000 });
        throw error;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: the body is not JSON: ${truncate(response.body, 200)}`, { request });
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: the body is not a JSON object: ${truncate(response.body, 200)}`, { request });
      }
      const record = parsed as Record<string, unknown>;
      if (typeof record.status === 'number' && record.status !== 0) throw httpError(response.statusCode, response.body, request);
      return record;
    },
    // GETs are idempotent: 429 and 5xx are retried too.
    true,
  );
}
