import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryClient } from './query-client';
import { isQueryTimeoutError, QueryTimeoutError } from './errors';
import { startFakeQueryServer, type FakeQueryServer } from './testing';

const AUTH = { type: 'token', token: 'any' } as const;

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function drain(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of iterable) rows.push(row);
  return rows;
}

describe('createQueryClient: idle and total timeouts', () => {
  /** Accepts connections and never answers. */
  let silent: Server;
  let silentUrl: string;
  /** Sends one row, then only keep-alives (every 20 ms) until the client leaves: a trickle that never ends. */
  let trickling: FakeQueryServer;

  beforeAll(async () => {
    silent = createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    trickling = await startFakeQueryServer({
      keepAliveIntervalMs: 20,
      engine: (request) =>
        Promise.resolve({
          columns: [{ name: 'n', type: 'int4' }],
          rows: (async function* () {
            yield [1];
            await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
          })(),
        }),
    });
  });
  afterAll(async () => {
    silent.closeAllConnections();
    silent.close();
    await trickling.close();
  });

  it('a silent server fails with the idle timeout and its value', async () => {
    const client = createQueryClient({ url: silentUrl, auth: AUTH, timeoutMs: 1000, retry: { limit: 0 } });
    const error = await failure(() => drain(client.query({ query: 'q', from: 0, to: 1000 })));
    expect(isQueryTimeoutError(error)).toBe(true);
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_QUERY_TIMEOUT', kind: 'idle', timeoutMs: 1000, request: 'POST /search/query' });
  }, 30_000);

  it('keep-alives cannot extend totalTimeoutMs: a trickling query ends with the total timeout', async () => {
    const client = createQueryClient({ url: trickling.url, auth: AUTH, timeoutMs: 10_000, totalTimeoutMs: 300, retry: { limit: 0 } });
    const rows: unknown[] = [];
    const error = await failure(async () => {
      for await (const row of client.query({ query: 'q', from: 0 })) rows.push(row);
    });
    expect(rows).toEqual([{ n: 1 }]);
    expect(error).toMatchObject({ code: 'ERR_QUERY_TIMEOUT', kind: 'total', timeoutMs: 300 });
    expect((error as Error).message).toContain('"totalTimeoutMs"');
  }, 30_000);

  it('totalTimeoutMs bounds the JSON requests too', async () => {
    const client = createQueryClient({ url: silentUrl, auth: AUTH, timeoutMs: 10_000, totalTimeoutMs: 200, retry: { limit: 0 } });
    const error = await failure(() => client.tableSchema('demo.ecommerce.data'));
    expect(error).toMatchObject({ code: 'ERR_QUERY_TIMEOUT', kind: 'total', timeoutMs: 200, request: 'GET /search/table/demo.ecommerce.data' });
  }, 30_000);

  it('does not wait for a retry that would end after the deadline', async () => {
    const server = await startFakeQueryServer({ tables: { t: { columns: [{ name: 'n', type: 'int4' }], rows: [[1]] } } });
    try {
      server.script({ destroyConnection: true }, { destroyConnection: true });
      // A fixed clock: the deadline never comes closer, so only the 60 s wait can cross it.
      const client = createQueryClient({ url: server.url, auth: AUTH, now: () => 0, totalTimeoutMs: 30_000, retry: { limit: 2, baseDelayMs: 60_000, jitter: false } });
      const error = await failure(() => drain(client.query({ query: 'from t', from: 0, to: 1000 })));
      expect(error).toMatchObject({ code: 'ERR_QUERY_NETWORK' });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  }, 30_000);

  it('refuses a total timeout that is not a positive number', () => {
    for (const totalTimeoutMs of [0, -1, Number.NaN]) {
      expect(() => createQueryClient({ url: silentUrl, auth: AUTH, totalTimeoutMs })).toThrow(/"totalTimeoutMs"/);
    }
  });
});
