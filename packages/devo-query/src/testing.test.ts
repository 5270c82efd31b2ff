import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { QueryLaunchError, startFakeQueryServer, stripPragmas, type FakeQueryServer } from './testing';
import { signRequest } from './internal/sign';

const NOW = 1_700_000_000_000; // 2023-11-14 22:13:20 UTC
const VECTOR_BODY =
  '{"query":"from demo.ecommerce.data select eventdate","from":1699996400,"to":1700000000,"mode":{"type":"json/simple/compact"}}';

let server: FakeQueryServer;

beforeAll(async () => {
  server = await startFakeQueryServer({
    auth: { tokens: ['tok'], apiKeys: { 'test-api-key': 'test-api-secret' } },
    tables: {
      'demo.ecommerce.data': {
        columns: [
          { name: 'eventdate', type: 'timestamp' },
          { name: 'ip', type: 'ip4' },
          { name: 'method', type: 'str' },
        ],
        rows: [
          [1699996399000, 1, 'before from'],
          [1699996400000, 3232235777, 'GET'],
          { eventdate: 1699999000000, ip: '10.0.0.1', method: 'say "hi", ok' },
          [1700000000000, 2, 'at to'],
        ],
      },
    },
    keepAliveIntervalMs: 30,
    now: () => NOW,
  });
});
afterAll(async () => {
  await server.close();
});

async function post(body: unknown, headers: Record<string, string> = { authorization: 'Bearer tok' }): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`${server.url}/search/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
}

const BASE = { query: 'from demo.ecommerce.data', from: 1699996400, to: 1700000000 };
const META =
  '{"m":{"eventdate":{"type":"timestamp","index":0},"ip":{"type":"ip4","index":1},"method":{"type":"str","index":2}},"metadata":[{"name":"eventdate","type":"timestamp"},{"name":"ip","type":"ip4"},{"name":"method","type":"str"}]}';

describe('startFakeQueryServer: formats (docs/reference/devo-query-api.md §5)', () => {
  it('writes json/simple/compact with a metadata line and CRLF', async () => {
    const response = await post({ ...BASE, mode: { type: 'json/simple/compact' } });
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/json');
    expect(response.text).toBe(`${META}\r\n{"d":[1699996400000,3232235777,"GET"]}\r\n{"d":[1699999000000,167772161,"say \\"hi\\", ok"]}\r\n`);
  });

  it('writes json/simple rows with CRLF, and ip4 as text with ipAsString', async () => {
    const response = await post({ ...BASE, mode: { type: 'json/simple' }, ipAsString: true });
    expect(response.text).toBe(
      '{"eventdate":1699996400000,"ip":"192.168.1.1","method":"GET"}\r\n{"eventdate":1699999000000,"ip":"10.0.0.1","method":"say \\"hi\\", ok"}\r\n',
    );
  });

  it('writes json and json/compact as one document (json is the default mode)', async () => {
    const json = await post({ ...BASE, limit: 1 });
    const cid = (JSON.parse(json.text) as { cid: string }).cid;
    expect(json.text).toBe(`{"msg":"","status":0,"timestamp":1700000000000,"cid":"${cid}","object":[{"eventdate":1699996400000,"ip":3232235777,"method":"GET"}]}`);
    const compact: unknown = JSON.parse((await post({ ...BASE, mode: { type: 'json/compact' }, limit: 1 })).text);
    const meta = JSON.parse(META) as Record<string, unknown>;
    expect(compact).toMatchObject({ msg: '', status: 0, timestamp: NOW, object: { ...meta, d: [[1699996400000, 3232235777, 'GET']] } });
  });

  it('writes csv and tsv with LF, text timestamps and quoted fields', async () => {
    expect((await post({ ...BASE, mode: { type: 'csv' } })).text).toBe(
      'eventdate,ip,method\n2023-11-14 21:13:20.000,3232235777,GET\n2023-11-14 21:56:40.000,167772161,"say ""hi"", ok"\n',
    );
    const tsv = await post({ ...BASE, mode: { type: 'tsv' }, limit: 1 });
    expect(tsv.type).toBe('text/tab-separated-values');
    expect(tsv.text).toBe('eventdate\tip\tmethod\n2023-11-14 21:13:20.000\t3232235777\tGET\n');
  });

  it('writes only the metadata line for an empty result', async () => {
    expect((await post({ ...BASE, to: 1699996400, mode: { type: 'json/simple/compact' } })).text).toBe(`${META}\r\n`);
  });

  it('honours offset, skip, limit, select and timeUnit', async () => {
    const lines = async (body: Record<string, unknown>): Promise<string[]> =>
      (await post({ ...BASE, mode: { type: 'json/simple' }, ...body })).text.split('\r\n').filter(Boolean);
    expect(await lines({ offset: 1 })).toEqual(['{"eventdate":1699999000000,"ip":167772161,"method":"say \\"hi\\", ok"}']);
    expect(await lines({ skip: 1, limit: 0 })).toEqual([]);
    expect(await lines({ query: 'from demo.ecommerce.data select method pragma comment.id:"python-sdk-app" pragma comment.user:"u"', limit: 1 })).toEqual(['{"method":"GET"}']);
    expect(await lines({ from: 1699996399000, to: 1699996400000, timeUnit: 'MILLISECONDS' })).toEqual(['{"eventdate":1699996399000,"ip":1,"method":"before from"}']);
  });

  it('evaluates Devo date strings against its clock and treats to:null as open-ended', async () => {
    const text = (await post({ ...BASE, from: '(now() - 1d) @ 1d', to: 'now() - 1h', mode: { type: 'json/simple' } })).text;
    // 2023-11-13 00:00:00 ≤ eventdate < 2023-11-14 21:13:20 (= 1699996400000, exclusive)
    expect(text.split('\r\n').filter(Boolean)).toEqual(['{"eventdate":1699996399000,"ip":1,"method":"before from"}']);
    const controller = new AbortController();
    const response = await fetch(`${server.url}/search/query`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok' },
      body: JSON.stringify({ ...BASE, to: null, mode: { type: 'json/simple/compact' } }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('    ')) {
      const { value } = (await reader.read()) as { value?: Uint8Array };
      received += new TextDecoder().decode(value);
    }
    expect(received).toContain('"at to"'); // no upper bound
    controller.abort();
    await vi.waitFor(() => expect(server.openResponses).toBe(0), { timeout: 10_000 });
  });

  it('adds progress lines when asked', async () => {
    const text = (await post({ ...BASE, mode: { type: 'json/simple/compact' }, progressInfo: true, limit: 0 })).text;
    expect(text).toBe(`${META}\r\n{"p":[1700000000000]}\r\n`);
  });
});

describe('startFakeQueryServer: keep-alives (docs/reference/devo-query-api.md §6)', () => {
  it('injects keep-alives at chosen positions for each csv keepAlive type', async () => {
    server.script({ keepAliveAt: [0, 2, 3] });
    expect((await post({ ...BASE, mode: { type: 'csv' }, keepAlive: { type: 'token', token: 'X' } })).text).toBe(
      'Xeventdate,ip,method\n2023-11-14 21:13:20.000,3232235777,GET\nX2023-11-14 21:56:40.000,167772161,"say ""hi"", ok"\nX',
    );
    server.script({ keepAliveAt: [1] });
    expect((await post({ ...BASE, mode: { type: 'csv' }, keepAlive: { type: 'empty' }, limit: 1 })).text).toBe(
      'eventdate,ip,method\n,,\n2023-11-14 21:13:20.000,3232235777,GET\n',
    );
    server.script({ keepAliveAt: [1] });
    expect((await post({ ...BASE, mode: { type: 'tsv' }, keepAlive: { type: 'token' }, limit: 1 })).text).toBe(
      'eventdate\tip\tmethod\n\n2023-11-14 21:13:20.000\t3232235777\tGET\n',
    );
    server.script({ keepAliveAt: [1], keepAliveRepeat: 2 });
    expect((await post({ ...BASE, mode: { type: 'json/simple' }, limit: 1 })).text).toBe('        {"eventdate":1699996400000,"ip":3232235777,"method":"GET"}\r\n');
  });

  it('writes keep-alives on its interval while the engine is idle', async () => {
    // Event-driven: the engine holds its only row until the client has read a keep-alive, so no
    // race between the interval and a fixed pause (a server that never wrote one would time out).
    let release = (): void => {};
    const keepAliveSeen = new Promise<void>((resolve) => (release = resolve));
    const idle = await startFakeQueryServer({
      keepAliveIntervalMs: 20,
      engine: () =>
        Promise.resolve({
          columns: [{ name: 'n', type: 'int4' }],
          rows: (async function* () {
            await keepAliveSeen;
            yield [1];
          })(),
        }),
    });
    try {
      const response = await fetch(`${idle.url}/search/query`, { method: 'POST', headers: { authorization: 'jwt j' }, body: JSON.stringify({ query: 'q', from: 0, to: 1, mode: { type: 'json/simple/compact' } }) });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      for (;;) {
        const { value, done } = (await reader.read()) as { value?: Uint8Array; done: boolean };
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (text.includes('\r\n    ')) release();
      }
      expect(text.startsWith('{"m":{"n":{"type":"int4","index":0}},"metadata":[{"name":"n","type":"int4"}]}\r\n    ')).toBe(true);
      expect(text.endsWith('{"d":[1]}\r\n')).toBe(true);
    } finally {
      await idle.close();
    }
  });
});

describe('startFakeQueryServer: auth and errors (docs/reference/devo-query-api.md §2, §7)', () => {
  it('verifies the HMAC of the docs/reference/devo-query-api.md §2 vector over the raw body', async () => {
    const headers = { 'x-logtrust-apikey': 'test-api-key', 'x-logtrust-timestamp': '1700000000000', 'x-logtrust-sign': 'b2e5279d6497f8a2c1b52624dea55857cdecca1da970cd4555de7bca2b952a18' };
    expect((await post(VECTOR_BODY, headers)).status).toBe(200);
    expect(server.requests[server.requests.length - 1]!.body).toBe(VECTOR_BODY);
    const respaced = VECTOR_BODY.replace('"from":', '"from": ');
    expect(await post(respaced, headers)).toMatchObject({ status: 401, text: '{"error":{"code":12,"message":"Invalid signature validation"}}' });
  });

  it('accepts Bearer and bearer, refuses unknown tokens and missing auth', async () => {
    expect((await post(BASE, { authorization: 'bearer tok' })).status).toBe(200);
    expect(await post(BASE, { authorization: 'Bearer other' })).toMatchObject({ status: 401, text: '{"error":{"code":401,"message":"Unauthorized"}}' });
    expect((await post(BASE, {})).status).toBe(401);
  });

  it('answers parameter errors with 400 Bad parameters', async () => {
    const bad = async (body: Record<string, unknown>): Promise<unknown> => JSON.parse((await post(body)).text);
    expect(await bad({ query: 'from demo.ecommerce.data' })).toEqual({ error: 'Bad parameters', status: 400, object: ['405 : Missing date from'] });
    expect(await bad({ ...BASE, from: '2024-01-01T00:00:00Z' })).toEqual({ error: 'Bad parameters', status: 400, object: ['406 : Date from not valid format'] });
    expect(await bad({ ...BASE, from: 1700000001 })).toEqual({ error: 'Bad parameters', status: 400, object: ['408 : Date from is after date to'] });
    expect(((await bad({ from: 0 })) as { object: string[] }).object[0]).toContain('query or queryId');
  });

  it('answers an engine QueryLaunchError with the docs/reference/devo-query-api.md §7.1 500 body and other engine failures with server_error', async () => {
    const failing = await startFakeQueryServer({
      engine: (request) => {
        if (request.query === 'bad') return Promise.reject(new QueryLaunchError('Encountered "x"', { position: 3 }));
        return Promise.reject(new Error('engine crashed'));
      },
    });
    try {
      const launch = await fetch(`${failing.url}/search/query`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: JSON.stringify({ query: 'bad', from: 0 }) });
      expect(launch.status).toBe(500);
      expect(await launch.json()).toMatchObject({ msg: 'Error Launching Query', status: 500, object: ['Error Launching Query', 'Encountered "x" (at position 3)'] });
      const crash = await fetch(`${failing.url}/search/query`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: JSON.stringify({ query: 'other', from: 0 }) });
      expect(await crash.json()).toMatchObject({ error: 'server_error', status: 500 });
    } finally {
      await failing.close();
    }
  });

  it('turns an engine failure during iteration into the in-stream marker', async () => {
    const failing = await startFakeQueryServer({
      engine: () =>
        Promise.resolve({
          columns: [{ name: 'n', type: 'int4' }],
          rows: (function* () {
            yield [1];
            throw new Error('mlevalmodel: model not found');
          })(),
        }),
    });
    try {
      const response = await fetch(`${failing.url}/search/query`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: JSON.stringify({ query: 'q', from: 0, to: 1, mode: { type: 'json/simple/compact' } }) });
      expect(await response.text()).toBe(
        '{"m":{"n":{"type":"int4","index":0}},"metadata":[{"name":"n","type":"int4"}]}\r\n{"d":[1]}\r\n{"e":[500,"Error Processing Query: mlevalmodel: model not found"]}\r\n',
      );
    } finally {
      await failing.close();
    }
  });

  it('writes the docs/reference/devo-query-api.md §7.2 marker of each format', async () => {
    const markers: Record<string, string> = {
      'json/simple/compact': '{"e":[500,"boom"]}\r\n',
      'json/simple': '["error",500,"boom"]\r\n',
      csv: 'devo.api.error,500,boom\n',
      tsv: 'devo.api.error\t500\tboom\n',
    };
    for (const [type, marker] of Object.entries(markers)) {
      server.script({ errorAfterRows: 0, errorMessage: 'boom' });
      expect((await post({ ...BASE, mode: { type } })).text.endsWith(marker)).toBe(true);
    }
    server.script({ errorAfterRows: 1, errorMessage: 'boom' });
    expect(JSON.parse((await post(BASE)).text)).toMatchObject({ object: [{ method: 'GET' }], error: [500, 'boom'] });
  });

  it('creates a job for a query with a destination', async () => {
    const response = JSON.parse((await post({ ...BASE, destination: { type: 'email', params: {} } })).text) as { object: { id: string } };
    expect(server.jobs.get(response.object.id)).toMatchObject({ status: 'RUNNING', type: 'email', query: 'from demo.ecommerce.data' });
  });
});

describe('startFakeQueryServer: recorded official SDK requests (docs/reference/devo-query-api.md §3)', () => {
  it('serves the captured Python SDK request: spaced JSON, to:null, pragmas, Bearer', async () => {
    const body =
      '{"from": 1699996400, "to": null, "mode": {"type": "json/simple/compact"}, "query": "from demo.ecommerce.data\\n  select method pragma comment.id:\\"python-sdk-app\\" pragma comment.user:\\"python-sdk-user\\""}';
    const controller = new AbortController();
    const response = await fetch(`${server.url}/search/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-logtrust-timestamp': '1700000000000', Authorization: 'Bearer tok' },
      body,
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('"at to"')) {
      const { value } = (await reader.read()) as { value?: Uint8Array };
      received += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(received).toBe(
      '{"m":{"method":{"type":"str","index":0}},"metadata":[{"name":"method","type":"str"}]}\r\n{"d":["GET"]}\r\n{"d":["say \\"hi\\", ok"]}\r\n{"d":["at to"]}\r\n',
    );
  });

  it('serves the captured Node.js SDK body: skip, vaultName, progressInfo, ipAsString, api key', async () => {
    const body =
      '{"from":1699996400,"mode":{"type":"json/compact"},"to":1700000000,"skip":1,"limit":5,"vaultName":"low","progressInfo":true,"query":"from demo.ecommerce.data select eventdate,ip,method","ipAsString":true}';
    const timestamp = '1700000000123';
    const response = await post(body, { 'x-logtrust-apikey': 'test-api-key', 'x-logtrust-timestamp': timestamp, 'x-logtrust-sign': signRequest('test-api-key', 'test-api-secret', body, timestamp) });
    expect(response.status).toBe(200);
    expect((JSON.parse(response.text) as { object: { d: unknown } }).object.d).toEqual([[1699999000000, '10.0.0.1', 'say "hi", ok']]);
  });
});

describe('stripPragmas', () => {
  it('removes the pragmas the Python SDK appends', () => {
    expect(stripPragmas('from t select a pragma comment.id:"python-sdk-app" pragma comment.user:"python-sdk-user" pragma comment.free:"a \\"b\\""')).toBe('from t select a');
  });
});
