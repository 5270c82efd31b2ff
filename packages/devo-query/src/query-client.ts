import { QueryResponseError } from './errors';
import { getJson } from './internal/get-json';
import { jobCall, readJob } from './internal/job-calls';
import { invalidOption } from './internal/query-body';
import { truncate } from './internal/query-errors';
import { createQueryTransport } from './internal/query-transport';
import { runQuery } from './internal/run-query';
import type { QueryClient, QueryClientOptions } from './query-types';

export { buildQueryBody } from './internal/query-body';
export { extractServerError } from './internal/query-errors';
export { normalizeBaseUrl } from './internal/query-transport';

/**
 * Creates a Devo Query API client. `now` defaults to `Date.now`, taken once here at the boundary
 * (the library itself never reads the clock).
 *
 * @example
 * ```ts
 * const client = createQueryClient({ url: 'https://apiv2-eu.devo.com', auth: { type: 'token', token } });
 * for await (const row of client.query({ query: 'from demo.ecommerce.data select eventdate, method', from: 'now() - 1h', to: 'now()' })) {
 *   console.log(row.eventdate, row.method);
 * }
 * ```
 */
export function createQueryClient(options: QueryClientOptions): QueryClient {
  const transport = createQueryTransport(options);
  return {
    query: (queryOptions) => runQuery(transport, queryOptions),
    async tableSchema(table, requestOptions = {}) {
      if (typeof table !== 'string' || table.trim() === '') throw invalidOption('table', 'a table name such as "demo.ecommerce.data" is required.');
      const path = `search/table/${encodeURIComponent(table)}`;
      const request = `GET /${path}`;
      const body = await getJson(transport, path, request, requestOptions.signal);
      const fields = body.object;
      if (!Array.isArray(fields)) throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: "object" is not an array of fields.`, { request });
      return fields.map((field: unknown) => {
        const record = field as { fieldName?: unknown; type?: unknown } | null;
        if (typeof record?.fieldName !== 'string' || typeof record.type !== 'string') {
          throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: a field lacks "fieldName"/"type": ${truncate(JSON.stringify(field) ?? 'undefined', 200)}`, { request });
        }
        return { name: record.fieldName, type: record.type };
      });
    },
    async jobs(type, requestOptions = {}) {
      const path = type === undefined ? 'search/jobs' : `search/jobs/${encodeURIComponent(type)}`;
      const request = `GET /${path}`;
      const body = await getJson(transport, path, request, requestOptions.signal);
      if (!Array.isArray(body.object)) throw new QueryResponseError('ERR_QUERY_RESPONSE', `${request}: "object" is not an array of jobs.`, { request });
      return body.object.map((job: unknown) => readJob(job, request));
    },
    job: jobCall(transport, undefined),
    stopJob: jobCall(transport, 'stop'),
    startJob: jobCall(transport, 'start'),
    removeJob: jobCall(transport, 'remove'),
  };
}
