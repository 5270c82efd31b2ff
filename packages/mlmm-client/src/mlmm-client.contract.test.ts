import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMlmmClient } from './mlmm-client';
import { startFakeMlmmServer } from './fake-mlmm-server';
import type { FakeMlmmServer, RecordedRequest } from './fake-mlmm-types';
import { VERSION } from './version';

const TOKEN = 'contract-token-3f9c';

/** Header names as sent (case kept), in order. */
function headerNames(request: RecordedRequest): string[] {
  return request.rawHeaders.filter((_, index) => index % 2 === 0);
}
function rawHeader(request: RecordedRequest, name: string): string | undefined {
  const index = request.rawHeaders.findIndex((value, position) => position % 2 === 0 && value === name);
  return index < 0 ? undefined : request.rawHeaders[index + 1];
}

let server: FakeMlmmServer;
beforeEach(async () => {
  server = await startFakeMlmmServer({ tokens: [TOKEN] });
});
afterEach(async () => {
  await server.close();
});

describe('request layout (docs/reference/mlmm-api.md §1–§4)', () => {
  it('LIST: GET /models with standAloneToken, Accept */*, gzip/deflate and our User-Agent', async () => {
    const client = createMlmmClient({ url: `${server.url}///`, token: TOKEN });
    expect(await client.listModels()).toEqual([]);
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/mlmodelmanager/models');
    expect(request?.query).toBe('');
    expect(rawHeader(request!, 'standAloneToken')).toBe(TOKEN);
    expect(rawHeader(request!, 'Accept')).toBe('*/*');
    expect(rawHeader(request!, 'Accept-Encoding')).toBe('gzip, deflate');
    expect(rawHeader(request!, 'User-Agent')).toBe(`@dga/mlmm-client/${VERSION}`);
    expect(headerNames(request!)).not.toContain('Authorization');
    expect(request?.body.length).toBe(0);
  });

  it('bearer auth sends Authorization: Bearer <token> and no standAloneToken', async () => {
    const client = createMlmmClient({ url: server.url, token: TOKEN, authType: 'bearer', userAgent: 'ua/1' });
    await client.listModels();
    const [request] = server.requests;
    expect(rawHeader(request!, 'Authorization')).toBe(`Bearer ${TOKEN}`);
    expect(rawHeader(request!, 'User-Agent')).toBe('ua/1');
    expect(headerNames(request!).map((name) => name.toLowerCase())).not.toContain('standalonetoken');
  });

  it('GET: fast=True for getModel/findModel, fast=False for downloadModel', async () => {
    server.seedModel({ name: 'dga_classifier', engine: 'H2O', bytes: new Uint8Array([1, 2]) });
    const client = createMlmmClient({ url: server.url, token: TOKEN });
    await client.getModel('dga_classifier');
    await client.findModel('dga_classifier');
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    await client.downloadModel('dga_classifier', { directory: await mkdtemp(`${tmpdir()}/mlmm-contract-`) });
    expect(server.requests.map((request) => `${request.method} ${request.path}?${request.query}`)).toEqual([
      'GET /mlmodelmanager/models/dga_classifier?fast=True',
      'GET /mlmodelmanager/models/dga_classifier?fast=True',
      'GET /mlmodelmanager/models/dga_classifier?fast=False',
    ]);
  });

  it('encodes names in the path like Python quote (spaces, ñ, !\'()*, / kept)', async () => {
    const client = createMlmmClient({ url: server.url, token: TOKEN });
    for (const name of ['MY FIRST MODEL', 'ñ', "a(b)!*'", 'x/y']) expect(await client.findModel(name)).toBeNull();
    expect(server.requests.map((request) => request.path)).toEqual([
      '/mlmodelmanager/models/MY%20FIRST%20MODEL',
      '/mlmodelmanager/models/%C3%B1',
      '/mlmodelmanager/models/a%28b%29%21%2A%27',
      '/mlmodelmanager/models/x/y',
    ]);
  });

  it('round-trips those names through add, get and list', async () => {
    const client = createMlmmClient({ url: server.url, token: TOKEN });
    const names = ['MY FIRST MODEL', 'ñ', "a(b)!*'", 'x/y'];
    for (const name of names) await client.addModel(name, 'ONNX', new Uint8Array([7]));
    for (const name of names) expect((await client.getModel(name)).name).toBe(name);
    expect((await client.listModels()).map((model) => model.name)).toEqual(names);
    expect(server.requests.every((request) => request.violations.length === 0)).toBe(true);
  });

  it('legacy layout inserts /domains/{domain} unescaped', async () => {
    const client = createMlmmClient({ url: `${server.url}/`, token: TOKEN, domain: 'self.team' });
    await client.findModel('m');
    await client.addModel('m', 'ONNX', new Uint8Array([1]));
    expect(server.requests.map((request) => request.path)).toEqual([
      '/mlmodelmanager/domains/self.team/models/m',
      '/mlmodelmanager/domains/self.team/models/m',
      '/mlmodelmanager/domains/self.team/models/images/upload',
      '/mlmodelmanager/domains/self.team/models',
    ]);
  });
});

describe('addModel sequence (docs/reference/mlmm-api.md §5)', () => {
  it('new model: GET fast=True (204), multipart upload, then the SAVE body of docs/reference/mlmm-api.md §4.4 byte for byte', async () => {
    await server.close();
    // A review like docs/reference/mlmm-api.md's example, so the SAVE body must equal docs/reference/mlmm-api.md's JSON.
    server = await startFakeMlmmServer({
      tokens: [TOKEN],
      review: () => ({
        outputType: 'float4[]',
        fields: [{ id: null, name: 'float_input', description: '', type: 'float4[]' }],
        clusters: [],
        category: 'Regression',
        runtimeSize: 1154,
      }),
    });
    const client = createMlmmClient({ url: server.url, token: TOKEN });
    const file = new Uint8Array(65).map((_, index) => (index * 37) % 256);
    const result = await client.addModel('dga_classifier_onnx', 'ONNX', file, {
      description: 'DGA domain classifier (Keras-ONNX)',
      fileName: 'dga_classifier_onnx.onnx',
    });
    expect(result.action).toBe('created');

    const [lookup, upload, save] = server.requests;
    expect(server.requests).toHaveLength(3);
    expect(`${lookup?.method} ${lookup?.path}?${lookup?.query}`).toBe('GET /mlmodelmanager/models/dga_classifier_onnx?fast=True');
    expect(lookup?.status).toBe(204);

    expect(`${upload?.method} ${upload?.path}`).toBe('POST /mlmodelmanager/models/images/upload');
    const contentType = rawHeader(upload!, 'Content-Type') ?? '';
    const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(contentType)?.[1];
    expect(boundary).toMatch(/^[0-9a-f]{32}$/);
    const expectedUpload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="engine"\r\n\r\nONNX\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="fileName"; filename="dga_classifier_onnx.onnx"\r\n\r\n`,
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    expect(upload?.body.equals(expectedUpload)).toBe(true);
    expect(rawHeader(upload!, 'Content-Length')).toBe(String(expectedUpload.length));
    expect(rawHeader(upload!, 'standAloneToken')).toBe(TOKEN);

    expect(`${save?.method} ${save?.path}`).toBe('POST /mlmodelmanager/models');
    expect(rawHeader(save!, 'Content-Type')).toBe('application/json');
    // docs/reference/mlmm-api.md §4.4, "New model (key order as sent by the Python client)", with Python's separators.
    expect(save?.body.toString('utf8')).toBe(
      '{"name": "dga_classifier_onnx", "engine": "ONNX", ' +
        '"description": "DGA domain classifier (Keras-ONNX)", ' +
        '"image": {"id": 100, "size": 65}, ' +
        '"outputType": "float4[]", ' +
        '"fields": [{"id": null, "name": "float_input", "description": "", "type": "float4[]"}], ' +
        '"clusters": [], "category": "Regression", "runtimeSize": 1154, "hidden": false}',
    );
    expect(server.requests.every((request) => request.violations.length === 0)).toBe(true);
    expect(server.modelFile('dga_classifier_onnx')).toEqual({ engine: 'ONNX', bytes: file });
  });

  it('description defaults to null, filename to the base name of the path', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const folder = await mkdtemp(path.join(tmpdir(), 'mlmm-'));
    await writeFile(path.join(folder, 'my model.onnx'), Buffer.from('onnx-bytes'));
    const client = createMlmmClient({ url: server.url, token: TOKEN });
    await client.addModel('m', 'ONNX', path.join(folder, 'my model.onnx'));
    const upload = server.requests[1]!;
    expect(upload.body.toString('latin1')).toContain('Content-Disposition: form-data; name="fileName"; filename="my model.onnx"\r\n\r\nonnx-bytes\r\n');
    expect(JSON.parse(server.requests[2]!.body.toString('utf8'))).toMatchObject({ description: null, hidden: false });
  });

  it('overwrite with force: same POST plus "id" last, stored description kept when none given', async () => {
    const client = createMlmmClient({ url: server.url, token: TOKEN });
    await client.addModel('m', 'ONNX', new Uint8Array([1, 2, 3]), { description: 'first' });
    const before = server.getModel('m')!;
    const result = await client.addModel('m', 'ONNX', new Uint8Array([4, 5, 6, 7]), { force: true });
    expect(result).toMatchObject({ action: 'updated', previousId: before.id });
    const save = server.requests.at(-1)!;
    const text = save.body.toString('utf8');
    expect(text.startsWith('{"name": "m", "engine": "ONNX", "description": "first", "image": {"id": 101, "size": 4}, ')).toBe(true);
    expect(text.endsWith(`"hidden": false, "id": ${before.id}}`)).toBe(true);
    const after = server.getModel('m')!;
    expect(after.id).toBe(before.id);
    expect(after.creationDate).toBe(before.creationDate);
    expect(after.updateDate).toBeGreaterThan(before.updateDate);
    expect(server.modelFile('m')?.bytes).toEqual(new Uint8Array([4, 5, 6, 7]));
  });

  it('overwrite with a new description sends it', async () => {
    const client = createMlmmClient({ url: server.url, token: TOKEN });
    await client.addModel('m', 'ONNX', new Uint8Array([1]), { description: 'first' });
    await client.addModel('m', 'ONNX', new Uint8Array([2]), { force: true, description: 'second' });
    expect(JSON.parse(server.requests.at(-1)!.body.toString('utf8'))).toMatchObject({ description: 'second', id: 1 });
    expect(server.getModel('m')?.description).toBe('second');
  });

  it('force without an existing model is a normal create (no id)', async () => {
    const client = createMlmmClient({ url: server.url, token: TOKEN });
    expect((await client.addModel('m', 'ONNX', new Uint8Array([1]), { force: true })).action).toBe('created');
    expect(Object.keys(JSON.parse(server.requests.at(-1)!.body.toString('utf8')) as Record<string, unknown>)).not.toContain('id');
  });

  it('sends the engine exactly as given (not upper-cased)', async () => {
    const client = createMlmmClient({ url: server.url, token: TOKEN });
    await expect(client.addModel('m', 'onnx', new Uint8Array([1]))).rejects.toMatchObject({ serverCode: 500 });
    expect(server.requests[1]?.body.toString('latin1')).toContain('name="engine"\r\n\r\nonnx\r\n');
  });
});

describe('exact request head on a raw socket', () => {
  let raw: Server;
  let heads: string[];
  beforeEach(async () => {
    heads = [];
    raw = createServer((socket: Socket) => {
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        const end = buffer.indexOf('\r\n\r\n');
        if (end >= 0) {
          heads.push(buffer.slice(0, end));
          socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
        }
      });
    });
    raw.listen(0, '127.0.0.1');
    await once(raw, 'listening');
  });
  afterEach(async () => {
    raw.close();
    await once(raw, 'close');
  });

  it('GET fast=False: request line and headers as captured from the Python client', async () => {
    const { port } = raw.address() as AddressInfo;
    const client = createMlmmClient({ url: `http://127.0.0.1:${port}/mlmodelmanager/`, token: TOKEN, userAgent: 'ua' });
    await expect(client.downloadModel('dga_classifier', { directory: '/nonexistent-never-written' })).rejects.toMatchObject({
      name: 'MlmmModelNotFoundError',
    });
    const lines = heads[0]!.split('\r\n');
    expect(lines[0]).toBe('GET /mlmodelmanager/models/dga_classifier?fast=False HTTP/1.1');
    expect(lines).toContain(`standAloneToken: ${TOKEN}`);
    expect(lines).toContain('Accept: */*');
    expect(lines).toContain('Accept-Encoding: gzip, deflate');
    expect(lines).toContain('User-Agent: ua');
    expect(lines.some((line) => /^content-(type|length)/i.test(line))).toBe(false);
  });
});

describe('response decoding', () => {
  it('decodes gzip answers and ignores the Content-Type (docs/reference/mlmm-api.md §3)', async () => {
    const { createServer: createHttpServer } = await import('node:http');
    const { gzipSync } = await import('node:zlib');
    const body = gzipSync(Buffer.from('[{"id": 35, "name": "pokemon_onnx_regression", "engine": "ONNX", "description": "A funny Pokemon prediction"}]'));
    const gzipServer = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      response.end(body);
    });
    gzipServer.listen(0, '127.0.0.1');
    await once(gzipServer, 'listening');
    try {
      const { port } = gzipServer.address() as AddressInfo;
      const client = createMlmmClient({ url: `http://127.0.0.1:${port}/mlmodelmanager`, token: TOKEN });
      expect(await client.listModels()).toEqual([
        { id: 35, name: 'pokemon_onnx_regression', engine: 'ONNX', description: 'A funny Pokemon prediction' },
      ]);
    } finally {
      gzipServer.closeAllConnections();
      gzipServer.close();
    }
  });
});
