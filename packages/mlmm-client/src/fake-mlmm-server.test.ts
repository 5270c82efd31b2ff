import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeMlmmServer } from './fake-mlmm-server';
import type { FakeMlmmServer } from './fake-mlmm-types';

const TOKEN = 'fake-test-token';
let server: FakeMlmmServer;

beforeEach(async () => {
  server = await startFakeMlmmServer({ tokens: [TOKEN] });
});
afterEach(async () => {
  await server.close();
});

interface RawAnswer {
  status: number;
  text: string;
  json: unknown;
}

/** A hand-made request, so the tests control every byte the fake sees. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.origin}${path}`, { method, headers: { standAloneToken: TOKEN, ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({ status: response.statusCode ?? 0, text, json });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

const B = 'b0undary';
function multipart(parts: string[]): Buffer {
  return Buffer.from(`${parts.map((part) => `--${B}\r\n${part}\r\n`).join('')}--${B}--\r\n`, 'latin1');
}
const engine = (value = 'ONNX'): string => `Content-Disposition: form-data; name="engine"\r\n\r\n${value}`;
const file = (content = 'bytes', extra = ''): string =>
  `Content-Disposition: form-data; name="fileName"; filename="m.onnx"\r\n${extra}\r\n${content}`;
const multipartHeaders = { 'content-type': `multipart/form-data; boundary=${B}` };

describe('startFakeMlmmServer', () => {
  it('accepts the official layout and answers a review', async () => {
    const answer = await send('POST', '/mlmodelmanager/models/images/upload', multipartHeaders, multipart([engine(), file()]));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ valid: true, errorDetail: null, imageId: 100, size: 5, fileName: 'm.onnx', clusters: [] });
    expect(server.getImageBytes(100)).toEqual(new Uint8Array(Buffer.from('bytes')));
  });

  it('rejects parts in the wrong order', async () => {
    const answer = await send('POST', '/mlmodelmanager/models/images/upload', multipartHeaders, multipart([file(), engine()]));
    expect(answer.status).toBe(400);
    expect(server.requests[0]?.violations).toContain('multipart: part 1 should be "engine", got "fileName"');
  });

  it('rejects a per-part Content-Type', async () => {
    const answer = await send(
      'POST',
      '/mlmodelmanager/models/images/upload',
      multipartHeaders,
      multipart([engine(), file('bytes', 'Content-Type: application/octet-stream\r\n')]),
    );
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('has its own Content-Type');
  });

  it('rejects a file part without filename, and a body without the closing CRLF framing', async () => {
    const noName = multipart([engine(), 'Content-Disposition: form-data; name="fileName"\r\n\r\nbytes']);
    expect((await send('POST', '/mlmodelmanager/models/images/upload', multipartHeaders, noName)).status).toBe(400);
    expect(server.requests[0]?.violations).toContain('multipart: part "fileName" has no filename parameter');
    const lf = Buffer.from(`--${B}\nContent-Disposition: form-data; name="engine"\n\nONNX\n--${B}--`, 'latin1');
    expect((await send('POST', '/mlmodelmanager/models/images/upload', multipartHeaders, lf)).status).toBe(400);
  });

  it('answers the enum 500 for an unknown engine (case-sensitive, like a Java enum)', async () => {
    const answer = await send('POST', '/mlmodelmanager/models/images/upload', multipartHeaders, multipart([engine('onnx'), file()]));
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ code: 500, msg: 'No enum constant com.devo.mlx.malevolo.common.enums.EngineType.onnx' });
  });

  it('answers valid:false for an empty file', async () => {
    const answer = await send('POST', '/mlmodelmanager/models/images/upload', multipartHeaders, multipart([engine(), file('')]));
    expect(answer).toMatchObject({ status: 200, json: { valid: false, errorDetail: 'Invalid image: the file is empty' } });
  });

  it('authenticates by standAloneToken or Bearer, names case-insensitive; unknown token → 403 code 5', async () => {
    expect((await send('GET', '/mlmodelmanager/models', { STANDALONETOKEN: TOKEN })).status).toBe(200);
    const bearer = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${server.origin}/mlmodelmanager/models`, { headers: { authorization: `bearer ${TOKEN}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(bearer).toBe(200);
    const denied = await send('GET', '/mlmodelmanager/models', { standAloneToken: 'nope' });
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ code: 5, msg: 'Token invalid or expired' });
    expect(typeof (denied.json as { cid?: unknown }).cid).toBe('string');
  });

  it('answers 204 with an empty body for an absent model, fast parsed case-insensitively', async () => {
    const absent = await send('GET', '/mlmodelmanager/models/nope?fast=True');
    expect(absent).toMatchObject({ status: 204, text: '' });
    server.seedModel({ name: 'a b', engine: 'H2O', bytes: Buffer.from('zip!') });
    const full = await send('GET', '/mlmodelmanager/models/a%20b?fast=false');
    expect(full.json).toMatchObject({ name: 'a b', engine: 'H2O', image: { size: 4, image: Buffer.from('zip!').toString('base64') } });
    const fast = await send('GET', '/mlmodelmanager/models/a%20b?fast=TRUE');
    expect((fast.json as { image: object }).image).not.toHaveProperty('image');
    expect((await send('GET', '/mlmodelmanager/models/a%20b')).status).toBe(400);
  });

  it('saves, updates in place with id, refuses a taken name without id, skips hidden in the list', async () => {
    const upload = async (): Promise<number> =>
      ((await send('POST', '/mlmodelmanager/models/images/upload', multipartHeaders, multipart([engine(), file()]))).json as { imageId: number }).imageId;
    const body = (imageId: number, extra: Record<string, unknown> = {}): string =>
      JSON.stringify({
        name: 'm', engine: 'ONNX', description: null, image: { id: imageId, size: 5 }, outputType: 'float4[]',
        fields: [], clusters: [], category: 'Regression', runtimeSize: 10, hidden: false, ...extra,
      });
    const json = { 'content-type': 'application/json' };
    expect((await send('POST', '/mlmodelmanager/models', json, body(await upload()))).status).toBe(204);
    const created = server.getModel('m')!;
    expect(created).toMatchObject({ id: 1, parentId: 1, hidden: false });
    expect((await send('POST', '/mlmodelmanager/models', json, body(await upload()))).json).toMatchObject({ code: 409 });
    expect((await send('POST', '/mlmodelmanager/models', json, body(await upload(), { id: 99 }))).status).toBe(400);
    expect((await send('POST', '/mlmodelmanager/models', json, body(await upload(), { id: 1, description: 'new' }))).status).toBe(204);
    expect(server.getModel('m')).toMatchObject({ id: 1, creationDate: created.creationDate, description: 'new' });
    expect(server.getModel('m')!.updateDate).toBeGreaterThan(created.updateDate);
    expect((await send('POST', '/mlmodelmanager/models', json, body(12345, { name: 'other' }))).json).toMatchObject({ code: 400, msg: 'Image 12345 not found' });
    const hidden = JSON.parse(body(await upload(), { name: 'h', hidden: true })) as object;
    expect((await send('POST', '/mlmodelmanager/models', json, JSON.stringify(hidden))).status).toBe(204);
    expect(((await send('GET', '/mlmodelmanager/models')).json as { name: string }[]).map((model) => model.name)).toEqual(['m']);
  });

  it('flags save bodies with wrong types, unknown keys or another key order', async () => {
    const json = { 'content-type': 'application/json' };
    const answer = await send('POST', '/mlmodelmanager/models', json, JSON.stringify({ engine: 'ONNX', name: 'm', hidden: 'no', extra: 1 }));
    expect(answer.status).toBe(400);
    const violations = server.requests[0]!.violations;
    expect(violations).toContain('save: unexpected key "extra"');
    expect(violations).toContain('save: missing key "image"');
    expect(violations).toContain('save: "hidden" should be a boolean, got "no"');
  });

  it('serves the legacy /domains/{d} layout and 404s unknown paths with the JSON body', async () => {
    expect((await send('GET', '/mlmodelmanager/domains/self/models')).status).toBe(200);
    const unknown = await send('GET', '/mlmodelmanager/nothing');
    expect(unknown).toMatchObject({ status: 404, json: { code: 404, msg: 'HTTP 404 Not Found' } });
    expect((await send('GET', '/other/models')).status).toBe(404);
    expect((await send('PUT', '/mlmodelmanager/models/x')).status).toBe(405);
  });

  it('records method, raw path, raw query, headers and body', async () => {
    await send('GET', '/mlmodelmanager/models/%C3%B1?fast=True', { 'X-Extra': 'v' });
    const [recorded] = server.requests;
    expect(recorded).toMatchObject({ method: 'GET', path: '/mlmodelmanager/models/%C3%B1', query: 'fast=True', status: 204 });
    expect(recorded?.headers['x-extra']).toBe('v');
    expect(recorded?.rawHeaders).toContain('X-Extra');
  });

  it('modelFile and seedModel expose the stored bytes; DELETE removes a model', async () => {
    server.seedModel({ name: 'm', engine: 'ONNX', bytes: new Uint8Array([1, 2, 3]) });
    expect(server.modelFile('m')).toEqual({ engine: 'ONNX', bytes: new Uint8Array([1, 2, 3]) });
    expect(server.modelFile('nope')).toBeUndefined();
    expect((await send('DELETE', '/mlmodelmanager/models/m')).status).toBe(204);
    expect(server.getModel('m')).toBeUndefined();
  });
});
