import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createQueryClient, normalizeBaseUrl } from './query-client';
import type { QueryAuth, QueryClientOptions } from './query-types';
import { QueryDataError, QueryHttpError, isDevoQueryError, type DevoQueryError } from './errors';
import { startFakeQueryServer, type FakeQueryServer, type FakeTable } from './testing';

const TOKEN = 'tok-SECRET-3f9a';
const JWT = 'eyJ.jwt-SECRET.sig';
const API_KEY = 'test-api-key';
const API_SECRET = 'test-api-secret';
// 2023-11-14 22:13:20 UTC, the timestamp of the docs/reference/devo-query-api.md §2 vectors.
const NOW = 1_700_000_000_000;

const TABLE: FakeTable = {
  columns: [
    { name: 'eventdate', type: 'timestamp' },
    { name: 'clientIpAddress', type: 'ip4' },
    { name: 'domain', type: 'str' },
    { name: 'statusCode', type: 'int4' },
  ],
  rows: [
    [1699996400000, 3232235777, 'exämple.com', 200], // 192.168.1.1
    [1699996460000, 167772161, '日本.jp', 404], // 10.0.0.1
    [1699999999000, 16843009, 'a,"b"', 500], // 1.1.1.1
    [1700000000000, 16843009, 'excluded: eventdate == to', 200],
  ],
};
const ROWS = [
  { eventdate: 1699996400000, clientIpAddress: 3232235777, domain: 'exämple.com', statusCode: 200 },
  { eventdate: 1699996460000, clientIpAddress: 167772161, domain: '日本.jp', statusCode: 404 },
  { eventdate: 1699999999000, clientIpAddress: 16843009, domain: 'a,"b"', statusCode: 500 },
];

let server: FakeQueryServer;

beforeAll(async () => {
  server = await startFakeQueryServer({
    auth: { tokens: [TOKEN], jwts: [JWT], apiKeys: { [API_KEY]: API_SECRET } },
    tables: { 'demo.ecommerce.data': TABLE },
    savedQueries: { 'saved-1': 'from demo.ecommerce.data select domain' },
    keepAliveIntervalMs: 40,
    now: () => NOW,
  });
});
afterAll(async () => {
  await server.close();
});

function client(auth: QueryAuth = { type: 'token', token: TOKEN }, options: Partial<QueryClientOptions> = {}) {
  return createQueryClient({ url: server.url, auth, now: () => NOW, retry: { limit: 0 }, ...options });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<{ rows: T[]; error: unknown }> {
  const rows: T[] = [];
  try {
    for await (const row of iterable) rows.push(row);
  } catch (error) {
    return { rows, error };
  }
  return { rows, error: undefined };
}

function lastRequest() {
  return server.requests[server.requests.length - 1]!;
}

const RANGE = { from: 1699996400000, to: 1700000000000 };

describe('createQueryClient: requests on the wire', () => {
  it('signs the docs/reference/devo-query-api.md §2 query body byte-for-byte with the API key', async () => {
    const { rows } = await collect(
      client({ type: 'apiKey', apiKey: API_KEY, apiSecret: API_SECRET }).query({ query: 'from demo.ecommerce.data select eventdate', ...RANGE }),
    );
    expect(rows).toHaveLength(3);
    const request = lastRequest();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/search/query');
    expect(request.body).toBe(
      '{"query":"from demo.ecommerce.data select eventdate","from":1699996400,"to":1700000000,"mode":{"type":"json/simple/compact"}}',
    );
    expect(request.headers['x-logtrust-apikey']).toBe('test-api-key');
    expect(request.headers['x-logtrust-timestamp']).toBe('1700000000000');
    expect(request.headers['x-logtrust-sign']).toBe('b2e5279d6497f8a2c1b52624dea55857cdecca1da970cd4555de7bca2b952a18');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('@dga/devo-query/0.0.0-source');
    expect(request.headers.authorization).toBeUndefined();
  });

  it('signs the UTF-8 bytes it sends, so non-ASCII queries verify on the server', async () => {
    const { error } = await collect(
      client({ type: 'apiKey', apiKey: API_KEY, apiSecret: API_SECRET }).query({ query: 'from demo.ecommerce.data select domain pragma comment.free:"日本 ü"', ...RANGE }),
    );
    expect(error).toBeUndefined();
  });

  it('signs GETs over the empty body (docs/reference/devo-query-api.md §2 second vector)', async () => {
    await client({ type: 'apiKey', apiKey: API_KEY, apiSecret: API_SECRET }).tableSchema('demo.ecommerce.data');
    expect(lastRequest().headers['x-logtrust-sign']).toBe('7daef97415cc76692ebacd0ae51a24d05d191a918108c2383cdbfa7b0efff718');
  });

  it('sends Bearer for tokens and jwt for JWTs, and a custom user agent', async () => {
    await collect(client().query({ query: 'from demo.ecommerce.data', ...RANGE }));
    expect(lastRequest().headers.authorization).toBe(`Bearer ${TOKEN}`);
    await collect(client({ type: 'jwt', jwt: JWT }, { userAgent: 'my-app/1.0' }).query({ query: 'from demo.ecommerce.data', ...RANGE }));
    expect(lastRequest().headers.authorization).toBe(`jwt ${JWT}`);
    expect(lastRequest().headers['user-agent']).toBe('my-app/1.0');
    expect(lastRequest().headers['x-logtrust-sign']).toBeUndefined();
  });

  it('omits absent fields and sends the optional ones when given', async () => {
    await collect(client().query({ queryId: 'saved-1', from: 'now() - 1h', to: 'now()' }));
    expect(JSON.parse(lastRequest().body)).toEqual({ queryId: 'saved-1', from: 'now() - 1h', to: NOW / 1000, mode: { type: 'json/simple/compact' } });
    await collect(
      client().query({
        query: 'from demo.ecommerce.data',
        from: '2023-11-14',
        to: '2023-11-14 22:13:20',
        format: 'csv',
        limit: 5,
        offset: 1,
        timeZone: 'GMT+2',
        ipAsString: true,
        keepAlive: { type: 'token', token: '~' },
      }),
    );
    expect(lastRequest().body).toBe(
      '{"query":"from demo.ecommerce.data","from":1699920000,"to":1700000000,"mode":{"type":"csv"},"limit":5,"offset":1,"timeZone":"GMT+2","ipAsString":true,"keepAlive":{"type":"token","token":"~"}}',
    );
  });

  it('omits "to" for an open-ended streaming query but uses now for json (Python SDK rule)', async () => {
    await collect(client().query({ query: 'from demo.ecommerce.data', from: RANGE.from, format: 'json' }));
    expect(JSON.parse(lastRequest().body)).toMatchObject({ from: 1699996400, to: 1700000000 });
    const controller = new AbortController();
    const stream = client().query({ query: 'from demo.ecommerce.data', from: RANGE.from, signal: controller.signal });
    const rows: unknown[] = [];
    const { error } = await collect(
      (async function* () {
        for await (const row of stream) {
          rows.push(row);
          if (rows.length === 4) controller.abort();
          yield row;
        }
      })(),
    );
    expect(rows).toHaveLength(4);
    expect(error).toMatchObject({ code: 'ERR_QUERY_ABORTED' });
    expect(JSON.parse(lastRequest().body)).toEqual({ query: 'from demo.ecommerce.data', from: 1699996400, mode: { type: 'json/simple/compact' } });
  });

  it('accepts a base URL or the full query URL, with or without a trailing slash', async () => {
    for (const url of [server.url, `${server.url}/`, `${server.url}/search/query`, `${server.url}/search/query/`]) {
      const { rows } = await collect(createQueryClient({ url, auth: { type: 'token', token: TOKEN } }).query({ query: 'from demo.ecommerce.data', ...RANGE }));
      expect(rows).toHaveLength(3);
      expect(lastRequest().path).toBe('/search/query');
    }
    expect(normalizeBaseUrl('https://apiv2-eu.devo.com/search/query/')).toBe('https://apiv2-eu.devo.com');
    expect(normalizeBaseUrl('https://proxy.example/devo/')).toBe('https://proxy.example/devo');
    expect(() => normalizeBaseUrl('https://user:pw@apiv2-eu.devo.com')).toThrow(/credentials in the URL/);
  });

  it('refuses bad options locally', () => {
    const c = client();
    const error = (run: () => unknown): DevoQueryError => {
      try {
        run();
      } catch (caught) {
        return caught as DevoQueryError;
      }
      throw new Error('expected a throw');
    };
    expect(error(() => c.query({ query: 'x', queryId: 'y', from: 0 })).code).toBe('ERR_QUERY_INVALID_OPTION');
    expect(error(() => c.query({ from: 0 })).code).toBe('ERR_QUERY_INVALID_OPTION');
    expect(error(() => c.query({ query: 'x', from: 0, keepAlive: { type: 'empty' } })).message).toContain('only applies to csv and tsv');
    expect(error(() => c.query({ query: 'x', from: 10_000, to: 0 })).message).toContain('after "to"');
    expect(error(() => c.query({ query: 'x', from: '2024-01-01T00:00:00Z' })).code).toBe('ERR_QUERY_INVALID_DATE');
    expect(error(() => c.query({ query: 'x', from: 0, limit: -1 })).code).toBe('ERR_QUERY_INVALID_OPTION');
    expect(() => createQueryClient({ url: 'not a url', auth: { type: 'token', token: TOKEN } })).toThrow(/not an absolute URL/);
  });
});

describe('createQueryClient: rows', () => {
  it('returns the same rows in every JSON format, objects by default', async () => {
    for (const format of ['json/simple/compact', 'json/simple', 'json', 'json/compact'] as const) {
      const { rows, error } = await collect(client().query({ query: 'from demo.ecommerce.data', ...RANGE, format }));
      expect(error).toBeUndefined();
      expect(rows).toEqual(ROWS);
    }
  });

  it('returns csv and tsv rows as text, quoted fields included', async () => {
    for (const format of ['csv', 'tsv'] as const) {
      const { rows } = await collect(client().query({ query: 'from demo.ecommerce.data select eventdate, domain', ...RANGE, format }));
      expect(rows).toEqual([
        { eventdate: '2023-11-14 21:13:20.000', domain: 'exämple.com' },
        { eventdate: '2023-11-14 21:14:20.000', domain: '日本.jp' },
        { eventdate: '2023-11-14 22:13:19.000', domain: 'a,"b"' },
      ]);
    }
  });

  it('gives array rows with column metadata, ip4 as strings, and Dates on request', async () => {
    const stream = client().query({ query: 'from demo.ecommerce.data select eventdate, clientIpAddress', ...RANGE, rowShape: 'array', ipAsString: true, timestamps: 'date' });
    const { rows } = await collect(stream);
    expect(await stream.columns).toEqual([
      { name: 'eventdate', type: 'timestamp', index: 0 },
      { name: 'clientIpAddress', type: 'ip4', index: 1 },
    ]);
    expect(rows.map(([date, ip]) => [(date as Date).toISOString(), ip])).toEqual([
      ['2023-11-14T21:13:20.000Z', '192.168.1.1'],
      ['2023-11-14T21:14:20.000Z', '10.0.0.1'],
      ['2023-11-14T22:13:19.000Z', '1.1.1.1'],
    ]);
    expect(stream.rowCount).toBe(3);
  });

  it('honours limit and offset', async () => {
    const { rows } = await collect(client().query({ query: 'from demo.ecommerce.data select domain', ...RANGE, limit: 1, offset: 1 }));
    expect(rows).toEqual([{ domain: '日本.jp' }]);
  });

  it('delivers progress marks to onProgress', async () => {
    const marks: number[] = [];
    await collect(client().query({ query: 'from demo.ecommerce.data', ...RANGE, progressInfo: true, onProgress: (event) => marks.push(event.timestamp) }));
    expect(marks).toEqual([NOW]);
  });

  it('lets an exception thrown by the onProgress callback through unchanged', async () => {
    const mine = new Error('my callback failed');
    const { error } = await collect(client().query({ query: 'from demo.ecommerce.data', ...RANGE, progressInfo: true, onProgress: () => { throw mine; } }));
    expect(error).toBe(mine);
  });

  it('ignores keep-alives injected at every position in every format', async () => {
    for (const format of ['json/simple/compact', 'json/simple', 'json', 'json/compact', 'csv', 'tsv'] as const) {
      for (const keepAlive of format === 'csv' || format === 'tsv' ? ([{ type: 'token' }, { type: 'token', token: 'KA' }, { type: 'empty' }] as const) : [undefined]) {
        server.script({ keepAliveAt: [0, 1, 2, 3, 4], keepAliveRepeat: 3 });
        const { rows, error } = await collect(
          client().query({ query: 'from demo.ecommerce.data select domain, statusCode', ...RANGE, format, ...(keepAlive === undefined ? {} : { keepAlive }) }),
        );
        expect(error).toBeUndefined();
        expect(rows.map((row) => String(row.statusCode))).toEqual(['200', '404', '500']);
      }
    }
  });

  it('cannot be iterated twice', async () => {
    const stream = client().query({ query: 'from demo.ecommerce.data', ...RANGE });
    await collect(stream);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});

describe('createQueryClient: errors', () => {
  const httpCases: { status: number; body: unknown; message: string; code?: number | string; cid?: string }[] = [
    {
      status: 500,
      body: { msg: 'Error Launching Query', status: 500, timestamp: 1669737806151, cid: 'b46bde339628', object: ['Error Launching Query', 'com.devo.malote.syntax.ParseException: Encountered …'] },
      message: 'Error Launching Query: com.devo.malote.syntax.ParseException: Encountered …',
      cid: 'b46bde339628',
    },
    {
      status: 400,
      body: { msg: 'The table TABLE is not found in the domain DOMAIN', code: 624, timestamp: 1610956615646, cid: '243a25d36cc5', context: { table: 'TABLE', domain: 'DOMAIN' } },
      message: 'The table TABLE is not found in the domain DOMAIN',
      code: 624,
      cid: '243a25d36cc5',
    },
    { status: 500, body: { timestamp: 1669742043045, cid: 'a41119cc9b2d', error: 'server_error', status: 500 }, message: 'server_error', cid: 'a41119cc9b2d' },
    { status: 401, body: { error: { code: 12, message: 'Invalid signature validation' } }, message: 'Invalid signature validation', code: 12 },
    { status: 401, body: { error: { code: 401, message: 'Unauthorized' } }, message: 'Unauthorized', code: 401 },
    { status: 403, body: { code: 5, msg: 'Token invalid or expired' }, message: 'Token invalid or expired', code: 5 },
    { status: 403, body: { error: "Access not allowed for table 'my.secret.table'", status: 403, timestamp: 1, cid: 'c1' }, message: "Access not allowed for table 'my.secret.table'", cid: 'c1' },
    { status: 400, body: { error: 'Bad parameters', status: 400, object: ['406 : Date from not valid format'] }, message: 'Bad parameters: 406 : Date from not valid format' },
    { status: 403, body: 'error code: 1010', message: 'Error code 403 while invoking query' },
  ];

  it('turns each docs/reference/devo-query-api.md §7.1 body into a QueryHttpError with message, code, status, cid and the raw body as cause', async () => {
    for (const testCase of httpCases) {
      server.script({ httpError: { status: testCase.status, body: testCase.body, contentType: typeof testCase.body === 'string' ? 'text/plain' : 'application/json' } });
      const { error } = await collect(client().query({ query: 'from demo.ecommerce.data', ...RANGE }));
      expect(error).toBeInstanceOf(QueryHttpError);
      const httpError = error as QueryHttpError;
      expect(httpError.code).toBe('ERR_QUERY_HTTP_STATUS');
      expect(httpError.status).toBe(testCase.status);
      expect(httpError.serverMessage).toBe(testCase.message);
      expect(httpError.serverCode).toBe(testCase.code);
      expect(httpError.cid).toBe(testCase.cid);
      expect(httpError.cause).toBe(typeof testCase.body === 'string' ? testCase.body : JSON.stringify(testCase.body));
      expect(httpError.message).toContain('POST /search/query failed with HTTP');
    }
  });

  it('reports auth failures from the fake: unknown token, bad signature', async () => {
    const bad = await collect(client({ type: 'token', token: 'nope' }).query({ query: 'from demo.ecommerce.data', ...RANGE }));
    expect(bad.error).toMatchObject({ status: 401, serverMessage: 'Unauthorized' });
    const wrongSecret = await collect(client({ type: 'apiKey', apiKey: API_KEY, apiSecret: 'wrong' }).query({ query: 'from demo.ecommerce.data', ...RANGE }));
    expect(wrongSecret.error).toMatchObject({ status: 401, serverCode: 12, serverMessage: 'Invalid signature validation' });
  });

  it('reports a query the engine cannot launch with the docs/reference/devo-query-api.md §7.1 500 body', async () => {
    const { error } = await collect(client().query({ query: 'from demo.ecommerce.data select nope', ...RANGE }));
    expect(error).toMatchObject({ status: 500 });
    expect((error as QueryHttpError).serverMessage).toContain('Unknown field: nope');
  });

  it('throws in-stream errors after the rows before them, in every format', async () => {
    for (const format of ['json/simple/compact', 'json/simple', 'json', 'json/compact', 'csv', 'tsv'] as const) {
      server.script({ errorAfterRows: 2, errorMessage: 'Error Processing Query: out of memory' });
      const { rows, error } = await collect(client().query({ query: 'from demo.ecommerce.data', ...RANGE, format }));
      expect(rows).toHaveLength(2);
      expect(error).toBeInstanceOf(QueryDataError);
      expect(error).toMatchObject({ code: 'ERR_QUERY_DATA', serverCode: 500, rowsBefore: 2, serverMessage: 'Error Processing Query: out of memory' });
    }
  });

  it('reports a truncated stream, never a silent end, in every format and both truncation modes', async () => {
    for (const format of ['json/simple/compact', 'json/simple', 'json', 'json/compact', 'csv', 'tsv'] as const) {
      for (const truncateMode of ['socket', 'end'] as const) {
        server.script({ truncateAfterRows: 1, truncateMode });
        const { rows, error } = await collect(client().query({ query: 'from demo.ecommerce.data', ...RANGE, format }));
        expect(isDevoQueryError(error)).toBe(true);
        expect((error as DevoQueryError).code, `${format} ${truncateMode}`).toMatch(/ERR_QUERY_TRUNCATED|ERR_QUERY_MALFORMED/);
        if (format !== 'json' && format !== 'json/compact') expect(rows).toHaveLength(1);
      }
    }
  });

  it('rejects the columns promise when the query fails before metadata', async () => {
    server.script({ httpError: { status: 500, body: { error: 'server_error', status: 500 } } });
    const stream = client().query({ query: 'from demo.ecommerce.data', ...RANGE });
    await collect(stream);
    await expect(stream.columns).rejects.toBeInstanceOf(QueryHttpError);
  });

  it('HTTPS to a plain-HTTP port → one line saying the server does not speak HTTPS and the http:// URL to use', async () => {
    const https = server.url.replace(/^http:/, 'https:');
    const { error } = await collect(client(undefined, { url: https }).query({ query: 'from demo.ecommerce.data', ...RANGE }));
    expect(isDevoQueryError(error) && error.code).toBe('ERR_QUERY_NETWORK');
    const origin = new URL(https).host;
    expect((error as Error).message).toBe(`POST /search/query: the server at https://${origin} does not speak HTTPS; use http://${origin}`);
  });

  it('never puts a token, JWT, secret or signature in an error', async () => {
    const errors: unknown[] = [];
    const auths: QueryAuth[] = [
      { type: 'token', token: TOKEN },
      { type: 'jwt', jwt: JWT },
      { type: 'apiKey', apiKey: API_KEY, apiSecret: API_SECRET },
    ];
    for (const auth of auths) {
      server.script({ httpError: { status: 500, body: { error: 'server_error' } } });
      errors.push((await collect(client(auth).query({ query: 'from demo.ecommerce.data', ...RANGE }))).error);
      server.script({ truncateAfterRows: 1 });
      errors.push((await collect(client(auth).query({ query: 'from demo.ecommerce.data', ...RANGE }))).error);
      server.script({ destroyConnection: true });
      errors.push((await collect(client(auth).query({ query: 'from demo.ecommerce.data', ...RANGE }))).error);
      errors.push(await client(auth).job('missing').catch((error: unknown) => error));
      errors.push((await collect(createQueryClient({ url: 'http://127.0.0.1:9', auth, retry: { limit: 0 } }).query({ query: 'x', ...RANGE }))).error);
    }
    const signature = server.requests.map((request) => request.headers['x-logtrust-sign']).find((value) => typeof value === 'string') as string;
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    for (const error of errors) {
      expect(isDevoQueryError(error)).toBe(true);
      const text = inspect(error, { depth: 20, showHidden: true }) + JSON.stringify(error) + String((error as Error).stack);
      for (const secret of [TOKEN, JWT, API_SECRET, signature, 'SECRET']) expect(text).not.toContain(secret);
    }
  });
});

describe('createQueryClient: abort, retries and timeouts', () => {
  // No wall-clock bounds here: an abort that did not stop the query would leave it waiting on a
  // stream that never ends (or a server that never answers), and the test would time out.
  it('stops an open-ended query when the signal fires, and the server sees the disconnect', async () => {
    const controller = new AbortController();
    const stream = client().query({ query: 'from demo.ecommerce.data', from: RANGE.from, signal: controller.signal });
    const rows: unknown[] = [];
    const { error } = await collect((async function* () {
      for await (const row of stream) {
        rows.push(row);
        // open-ended: the eventdate == to row is included, then the server idles until the client leaves.
        if (rows.length === 4) setImmediate(() => controller.abort(new Error(`user gave up ${TOKEN}`)));
        yield row;
      }
    })());
    expect(rows).toHaveLength(4);
    expect(error).toMatchObject({ code: 'ERR_QUERY_ABORTED' });
    await vi.waitFor(() => expect(server.openResponses).toBe(0), { timeout: 10_000 });
  });

  it('stops when the signal fires before the response headers', async () => {
    // The server would answer only after the test's timeout: the abort is the only way out.
    server.script({ delayMs: 10 * 60_000 });
    const before = server.requests.length;
    const controller = new AbortController();
    const pending = collect(client().query({ query: 'from demo.ecommerce.data', ...RANGE, signal: controller.signal }));
    await vi.waitFor(() => expect(server.requests.length).toBe(before + 1), { timeout: 10_000 });
    controller.abort();
    const { rows, error } = await pending;
    expect(rows).toEqual([]);
    expect(error).toMatchObject({ code: 'ERR_QUERY_ABORTED' });
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { error } = await collect(client().query({ query: 'from demo.ecommerce.data', ...RANGE, signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ code: 'ERR_QUERY_ABORTED' });
  });

  it('closes the connection when the loop breaks early', async () => {
    const iterator = client().query({ query: 'from demo.ecommerce.data', from: RANGE.from })[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.return?.();
    await vi.waitFor(() => expect(server.openResponses).toBe(0), { timeout: 10_000 });
  });

  it('retries connection failures before the first byte, with exponential delays', async () => {
    const before = server.requests.length;
    const retries: { attempt: number; delayMs: number }[] = [];
    server.script({ destroyConnection: true }, { destroyConnection: true });
    const { rows, error } = await collect(
      client(undefined, { retry: { limit: 2, baseDelayMs: 5, jitter: false }, onRetry: ({ attempt, delayMs }) => retries.push({ attempt, delayMs }) }).query({ query: 'from demo.ecommerce.data', ...RANGE }),
    );
    expect(error).toBeUndefined();
    expect(rows).toHaveLength(3);
    expect(retries).toEqual([{ attempt: 1, delayMs: 5 }, { attempt: 2, delayMs: 10 }]);
    expect(server.requests.length - before).toBe(3);
  });

  it('draws full jitter below the exponential delay by default, from the injected random source', async () => {
    const delays: number[] = [];
    server.script({ destroyConnection: true }, { destroyConnection: true });
    const { error } = await collect(
      client(undefined, { retry: { limit: 2, baseDelayMs: 8 }, random: () => 0.5, onRetry: ({ delayMs }) => delays.push(delayMs) }).query({ query: 'from demo.ecommerce.data', ...RANGE }),
    );
    expect(error).toBeUndefined();
    expect(delays).toEqual([4, 8]);
  });

  it('takes a number as the retry limit, and refuses unknown retry keys and bad limits', async () => {
    const before = server.requests.length;
    server.script({ destroyConnection: true }, { destroyConnection: true });
    const { error } = await collect(client(undefined, { retry: 1, random: () => 0 }).query({ query: 'from demo.ecommerce.data', ...RANGE }));
    expect(error).toMatchObject({ code: 'ERR_QUERY_NETWORK' });
    expect(server.requests.length - before).toBe(2);
    expect(() => client(undefined, { retry: { backoffBaseMs: 5 } as never })).toThrow(/unknown key "backoffBaseMs"/);
    expect(() => client(undefined, { retry: -1 })).toThrow(expect.objectContaining({ code: 'ERR_QUERY_INVALID_OPTION' }));
  });

  it('gives up after the retry limit with ERR_QUERY_NETWORK', async () => {
    server.script({ destroyConnection: true }, { destroyConnection: true });
    const { error } = await collect(client(undefined, { retry: { limit: 1, baseDelayMs: 1 } }).query({ query: 'from demo.ecommerce.data', ...RANGE }));
    expect(error).toMatchObject({ code: 'ERR_QUERY_NETWORK' });
  });

  it('never retries a query once data has flowed, nor after an HTTP error', async () => {
    const before = server.requests.length;
    server.script({ truncateAfterRows: 1 });
    await collect(client(undefined, { retry: { limit: 3, baseDelayMs: 1 } }).query({ query: 'from demo.ecommerce.data', ...RANGE }));
    server.script({ httpError: { status: 503, body: { error: 'server_error', status: 503 } } });
    await collect(client(undefined, { retry: { limit: 3, baseDelayMs: 1 } }).query({ query: 'from demo.ecommerce.data', ...RANGE }));
    expect(server.requests.length - before).toBe(2);
  });

  it('retries 503 on the idempotent GET endpoints', async () => {
    server.script({ httpError: { status: 503, body: { error: 'server_error', status: 503 } } });
    const fields = await client(undefined, { retry: { limit: 1, baseDelayMs: 1 } }).tableSchema('demo.ecommerce.data');
    expect(fields[0]).toEqual({ name: 'eventdate', type: 'timestamp' });
  });

  it('keeps a quiet query alive through keep-alives, and times out without them', async () => {
    // The idle timeout is 50 keep-alive intervals, so only a stall of about a second could break
    // the first half; the second half never sends a second row, so only the idle timeout ends it.
    const idleTimeoutMs = 1000;
    const slow = await startFakeQueryServer({
      keepAliveIntervalMs: idleTimeoutMs / 50,
      engine: ({ body, signal }) =>
        Promise.resolve({
          columns: [{ name: 'n', type: 'int4' }],
          rows: (async function* () {
            yield [1];
            if ((body['mode'] as { type?: string } | undefined)?.type === 'csv') {
              await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 2 * idleTimeoutMs));
            yield [2];
          })(),
        }),
    });
    try {
      const quiet = createQueryClient({ url: slow.url, auth: { type: 'token', token: 'any' }, timeoutMs: idleTimeoutMs });
      expect((await collect(quiet.query({ query: 'q', from: 0, to: 1000 }))).rows).toEqual([{ n: 1 }, { n: 2 }]);
      // csv without a keepAlive option gets no keep-alives (docs/reference/devo-query-api.md §6): the idle timeout fires.
      const { rows, error } = await collect(quiet.query({ query: 'q', from: 0, to: 1000, format: 'csv' }));
      expect(rows).toEqual([{ n: '1' }]);
      expect(error).toMatchObject({ code: 'ERR_QUERY_TIMEOUT' });
    } finally {
      await slow.close();
    }
  });
});

describe('createQueryClient: table schema and jobs', () => {
  it('reads a table schema and reports an unknown table as 403', async () => {
    expect(await client().tableSchema('demo.ecommerce.data')).toEqual(TABLE.columns);
    expect(lastRequest().path).toBe('/search/table/demo.ecommerce.data');
    await expect(client().tableSchema('my.secret.table')).rejects.toMatchObject({ status: 403, serverMessage: "Access not allowed for table 'my.secret.table'" });
  });

  it('lists, reads, stops, starts and removes jobs', async () => {
    const base = { type: 'email', friendlyName: 'f', query: 'from t', eventGenerated: 0, eventsSent: 0, lastDatetime: NOW, error: [], extra: {} };
    server.jobs.set('j1', { id: 'j1', status: 'RUNNING', ...base });
    server.jobs.set('j2', { id: 'j2', status: 'COMPLETED', ...base, type: 'snmp' });
    const c = client();
    expect((await c.jobs()).map((job) => job.id)).toEqual(['j1', 'j2']);
    expect((await c.jobs('snmp')).map((job) => job.id)).toEqual(['j2']);
    expect(lastRequest().path).toBe('/search/jobs/snmp');
    expect(await c.job('j1')).toMatchObject({ id: 'j1', status: 'RUNNING' });
    expect(await c.stopJob('j1')).toMatchObject({ status: 'STOPPED' });
    expect(lastRequest().path).toBe('/search/job/stop/j1');
    await expect(c.stopJob('j1')).rejects.toMatchObject({ serverCode: 101 });
    expect(await c.startJob('j1')).toMatchObject({ status: 'RUNNING' });
    expect(await c.removeJob('j1')).toMatchObject({ status: 'REMOVED' });
    await expect(c.job('j1')).rejects.toMatchObject({ code: 'ERR_QUERY_HTTP_STATUS', serverCode: 100, serverMessage: 'Task not found' });
  });
});
