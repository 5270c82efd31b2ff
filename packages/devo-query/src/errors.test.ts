import { describe, expect, it } from 'vitest';
import { DevoQueryError, QueryDataError, QueryHttpError, QueryResponseError, isDevoQueryError } from './errors';

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
