import { describe, expect, it } from 'vitest';
import { signRequest } from './sign';

describe('signRequest', () => {
  it('matches the docs/reference/devo-query-api.md §2 vector for a query body', () => {
    const body =
      '{"query":"from demo.ecommerce.data select eventdate","from":1699996400,"to":1700000000,"mode":{"type":"json/simple/compact"}}';
    expect(signRequest('test-api-key', 'test-api-secret', body, '1700000000000')).toBe(
      'b2e5279d6497f8a2c1b52624dea55857cdecca1da970cd4555de7bca2b952a18',
    );
  });

  it('matches the docs/reference/devo-query-api.md §2 vector for an empty body (GET)', () => {
    expect(signRequest('test-api-key', 'test-api-secret', '', '1700000000000')).toBe(
      '7daef97415cc76692ebacd0ae51a24d05d191a918108c2383cdbfa7b0efff718',
    );
  });
});
