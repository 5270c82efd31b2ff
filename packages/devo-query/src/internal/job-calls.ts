import { QueryResponseError } from '../errors';
import type { QueryJob, RequestOptions } from '../query-types';
import { getJson } from './get-json';
import { invalidOption } from './query-body';
import { truncate } from './query-errors';
import type { QueryTransport } from './query-transport';

/** The job in `value`, checked to have an `id`. */
export function readJob(value: unknown, request: string): QueryJob {
  if (typeof value !== 'object' || value === null || typeof (value as { id?: unknown }).id !== 'string') {
    throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: "object" is not a job with an "id": ${truncate(JSON.stringify(value) ?? 'undefined', 200)}`, { request });
  }
  return value as QueryJob;
}

/** A call of `GET /search/job[/{action}]/{id}` (docs/reference/devo-query-api.md §8). */
export function jobCall(transport: QueryTransport, action: string | undefined): (id: string, requestOptions?: RequestOptions) => Promise<QueryJob> {
  return async (id: string, requestOptions: RequestOptions = {}): Promise<QueryJob> => {
    if (typeof id !== 'string' || id === '') throw invalidOption('id', 'a job id is required.');
    const path = action === undefined ? `search/job/${encodeURIComponent(id)}` : `search/job/${action}/${encodeURIComponent(id)}`;
    const request = `GET /${path}`;
    const body = await getJson(transport, path, request, requestOptions.signal);
    return readJob(body.object, request);
  };
}
