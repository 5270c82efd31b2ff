import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import { DevoQueryError, QueryDataError, QueryHttpError, QueryResponseError, QueryTimeoutError, isDevoQueryError, isQueryTimeoutError } from './errors';
import { QueryLaunchError } from './fake-query-types';
import { BadParameters } from './internal/fake-query/request-dates';

describe('DevoQueryError', () => {
  it('is recognised across package copies through the shared symbol, not instanceof', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('dga.devo-query.error')]: true });
    expect(DevoQueryError.isInstance(foreign)).toBe(true);
    expect(isDevoQueryError(new Error('x'))).toBe(false);
    expect(isDevoQueryError(null)).toBe(false);
  });

  it('gives every subclass its name, code and fields', () => {
    const http = new QueryHttpError('m', { status: 403, serverMessage: 's', serverCode: 5, cid: 'c', request: 'GET /x', cause: 'raw' });
    expect(http).toMatchObject({ name: 'QueryHttpError', code: 'ERR_QUERY_HTTP_STATUS', status: 403, serverCode: 5, cid: 'c', request: 'GET /x', cause: 'raw' });
    expect(new QueryDataError('m', { serverMessage: 's', rowsBefore: 3 })).toMatchObject({ name: 'QueryDataError', code: 'ERR_QUERY_DATA', rowsBefore: 3 });
    expect(new QueryResponseError('ERR_QUERY_TRUNCATED', 'm')).toMatchObject({ name: 'QueryResponseError', code: 'ERR_QUERY_TRUNCATED' });
    for (const error of [http, new QueryDataError('m', { serverMessage: 's', rowsBefore: 0 })]) expect(isDevoQueryError(error)).toBe(true);
  });
});

describe('the error model', () => {
  it('gives every error class a string code and an isInstance that works across package copies', async () => {
    const timeout = new QueryTimeoutError('m', { kind: 'idle', timeoutMs: 5 });
    const cases = [
      [DevoQueryError, new DevoQueryError('ERR_QUERY_NETWORK', 'm')],
      [QueryHttpError, new QueryHttpError('m', { status: 503, serverMessage: 's' })],
      [QueryDataError, new QueryDataError('m', { serverMessage: 's', rowsBefore: 0 })],
      [QueryTimeoutError, timeout],
      [QueryResponseError, new QueryResponseError('ERR_QUERY_MALFORMED', 'm')],
    ] as const;
    vi.resetModules();
    expect(errorModelViolations(cases, await import('./errors'))).toEqual([]);
    expect([isQueryTimeoutError(timeout), isQueryTimeoutError(cases[0][1])]).toEqual([true, false]);
    expect(errorModelViolations([[QueryLaunchError, new QueryLaunchError('Unknown field: foo', { position: 17 })]], await import('./fake-query-types'))).toEqual([]);
    expect(errorModelViolations([[BadParameters, new BadParameters('405 : Missing date from')]], await import('./internal/fake-query/request-dates'))).toEqual([]);
  });
});
