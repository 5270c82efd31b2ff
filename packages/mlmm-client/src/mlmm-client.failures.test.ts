import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMlmmClient } from './mlmm-client';
import type { MlmmClientOptions } from './mlmm-types';
import { startFakeMlmmServer } from './fake-mlmm-server';
import type { FakeMlmmServer } from './fake-mlmm-types';
import {
  MlmmError,
  isMlmmAbortError,
  isMlmmHttpError,
  isMlmmModelAlreadyExistsError,
  isMlmmModelNotFoundError,
  isMlmmModelRejectedError,
  isMlmmNetworkError,
  isMlmmResponseError,
  isMlmmRetryError,
  isMlmmTimeoutError,
  isMlmmTokenError,
  type MlmmRetryError,
} from './mlmm-error';

const TOKEN = 'secret-token-7a1e2b';

let server: FakeMlmmServer;
const caught: unknown[] = [];
let delays: number[];

beforeEach(async () => {
  server = await startFakeMlmmServer({ tokens: [TOKEN] });
  delays = [];
});
afterEach(async () => {
  await server.close();
});

/** Options with an injected sleep (records delays, no waiting) and a fixed jitter draw of 0.5. */
function clientOptions(overrides: Partial<MlmmClientOptions> = {}): MlmmClientOptions {
  return {
    url: server.url,
    token: TOKEN,
    random: () => 0.5,
    sleep: (milliseconds) => {
      delays.push(milliseconds);
      return Promise.resolve();
    },
    ...overrides,
  };
}

/** A client made from {@link clientOptions}. */
function client(overrides: Partial<MlmmClientOptions> = {}) {
  return createMlmmClient(clientOptions(overrides));
}

async function failure(promise: Promise<unknown>): Promise<MlmmError> {
  try {
    await promise;
  } catch (error) {
    caught.push(error);
    if (!MlmmError.isInstance(error)) throw error;
    return error;
  }
  throw new Error('expected a rejection');
}

describe('construction and usage errors (no traffic)', () => {
  it('rejects invalid base URLs at construction', () => {
    for (const url of ['', 'not a url', 'ftp://host/mlmm', 'http://', 'https://api us.devo.com/mlmodelmanager', 'mlmodelmanager', 'https://h/m?x=1']) {
      let error: unknown;
      try {
        createMlmmClient({ url, token: TOKEN });
      } catch (thrown) {
        error = thrown;
      }
      expect(MlmmError.isInstance(error), url).toBe(true);
      expect((error as MlmmError).msg).toBe(`Invalid url: '${url}'`);
      expect((error as MlmmError).code).toBe('ERR_MLMM_INVALID_OPTION');
      caught.push(error);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('rejects unknown retry keys (the shape shared with @dga/devo-query) and a bad limit', () => {
    expect(() => createMlmmClient({ url: server.url, token: TOKEN, retry: { backoffBaseMs: 5 } as never })).toThrow(/Unknown retry option: 'backoffBaseMs'.*baseDelayMs/);
    expect(() => createMlmmClient({ url: server.url, token: TOKEN, retry: -1 })).toThrow(expect.objectContaining({ code: 'ERR_MLMM_INVALID_OPTION' }));
  });

  it('rejects an unknown auth type and an empty token', () => {
    expect(() => createMlmmClient({ url: server.url, token: TOKEN, authType: 'basic' as never })).toThrow(/Invalid auth type: 'basic'/);
    expect(() => createMlmmClient({ url: server.url, token: '' })).toThrow(/Invalid token/);
  });

  it('names with . or .. path segments are refused (URLs would normalise them away)', async () => {
    for (const name of ['..', '.', 'a/../b', '../x']) {
      expect((await failure(client().findModel(name))).msg).toBe(`Invalid name: '${name}'`);
    }
    expect(server.requests).toHaveLength(0);
  });

  it("empty name → Invalid name: '' without a request", async () => {
    const error = await failure(client().getModel(''));
    expect(error.message).toBe("Invalid name: '' — pass a non-empty model name");
    expect(error.serverCode).toBe(0);
    expect(server.requests).toHaveLength(0);
  });
});

describe('server errors (docs/reference/mlmm-api.md §7)', () => {
  it('bad token → MlmmTokenError, code 5, the server msg, not retried', async () => {
    const error = await failure(createMlmmClient({ url: server.url, token: 'wrong-token', retry: 2 }).listModels());
    expect(isMlmmTokenError(error)).toBe(true);
    expect(isMlmmHttpError(error)).toBe(true);
    expect(error).toMatchObject({ serverCode: 5, msg: 'Token invalid or expired', status: 403 });
    expect(error.message.startsWith('5: Token invalid or expired')).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('body code 5 means a token error whatever the status; the status is never the code', async () => {
    server.failNext({ status: 500, body: { code: 5, msg: 'Token invalid or expired', cid: 'c' } });
    const error = await failure(client().listModels());
    expect(isMlmmTokenError(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
    server.failNext({ status: 400, body: { msg: 'Bad thing' } });
    const other = await failure(client().listModels());
    expect(other).toMatchObject({ serverCode: 0, msg: 'Bad thing', status: 400 });
    expect(other.message.startsWith('Bad thing')).toBe(true);
  });

  it('unknown engine → HTTP 500 enum error, code 500, upload not retried, nothing saved', async () => {
    const error = await failure(client().addModel('m', 'INVALID_ENGINE', new Uint8Array([1])));
    expect(isMlmmHttpError(error)).toBe(true);
    expect(error.serverCode).toBe(500);
    expect(error.msg).toBe('No enum constant com.devo.mlx.malevolo.common.enums.EngineType.INVALID_ENGINE');
    expect(server.requests.map((request) => request.method)).toEqual(['GET', 'POST']);
    expect(server.getModel('m')).toBeUndefined();
  });

  it('invalid file (review valid:false) → MlmmModelRejectedError with errorDetail, code 0, no save', async () => {
    const error = await failure(client().addModel('m', 'ONNX', new Uint8Array()));
    expect(isMlmmModelRejectedError(error)).toBe(true);
    expect(error).toMatchObject({ serverCode: 0, msg: 'Invalid image: the file is empty' });
    expect(server.requests).toHaveLength(2);
  });

  it('existing model without force → MlmmModelAlreadyExistsError, nothing uploaded', async () => {
    server.seedModel({ name: 'm', engine: 'ONNX', bytes: new Uint8Array([1]) });
    const error = await failure(client().addModel('m', 'ONNX', new Uint8Array([2])));
    expect(isMlmmModelAlreadyExistsError(error)).toBe(true);
    expect(error).toMatchObject({ serverCode: 0, msg: "'m'", modelName: 'm', modelId: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('absent model: getModel throws MlmmModelNotFoundError, findModel returns null', async () => {
    const error = await failure(client().getModel('ghost'));
    expect(isMlmmModelNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({ serverCode: 0, msg: "'ghost'" });
    expect(await client().findModel('ghost')).toBeNull();
  });

  it('an empty 200 body, null, {}, [] all count as absent', async () => {
    for (const body of ['', 'null', '{}', '[]']) {
      server.failNext({ status: 200, body });
      expect(await client().findModel('m'), body).toBeNull();
    }
  });

  it('a 404 is an error (not absent) with a layout hint both ways', async () => {
    await server.close();
    server = await startFakeMlmmServer({ tokens: [TOKEN], layout: 'legacy' });
    const modern = await failure(client().findModel('m'));
    expect(modern).toMatchObject({ serverCode: 404, msg: 'HTTP 404 Not Found', status: 404 });
    expect(modern.message).toMatch(/legacy layout \(pass domain\)/);
    await server.close();
    server = await startFakeMlmmServer({ tokens: [TOKEN], layout: 'modern' });
    const legacy = await failure(client({ domain: 'self' }).findModel('m'));
    expect(legacy.message).toMatch(/modern layout \(omit domain 'self'\)/);
  });

  it('a non-JSON error page → code 0, Unexpected error, truncated body', async () => {
    const page = `<html><body>${'Bad gateway '.repeat(100)}</body></html>`;
    server.failNext({ status: 502, body: page, times: 3 });
    const error = await failure(client({ retry: 0 }).listModels());
    expect(error).toMatchObject({ serverCode: 0, msg: 'Unexpected error', status: 502 });
    expect(isMlmmHttpError(error) && error.body.startsWith('<html><body>Bad gateway')).toBe(true);
    expect(isMlmmHttpError(error) && error.body.length).toBeLessThan(560);
  });

  it('an array or empty error body → code 0, Unexpected error', async () => {
    server.failNext({ status: 400, body: [1, 2] });
    expect(await failure(client().listModels())).toMatchObject({ serverCode: 0, msg: 'Unexpected error' });
    server.failNext({ status: 401, body: '' });
    expect(await failure(client().listModels())).toMatchObject({ serverCode: 0, msg: 'Unexpected error' });
  });

  it('a malformed 2xx model → MlmmResponseError with the body', async () => {
    server.failNext({ status: 200, body: { name: 'm', engine: 'ONNX' } });
    const error = await failure(client().getModel('m'));
    expect(isMlmmResponseError(error)).toBe(true);
    expect(error.msg).toMatch(/"id" should be a number/);
  });
});

describe('retries', () => {
  it('retries a 503 on GET, then succeeds; delays are full jitter of 500·2^(n-1)', async () => {
    server.failNext({ status: 503, times: 2, method: 'GET' });
    const events: number[] = [];
    expect(await client({ onRetry: (event) => events.push(event.attempt) }).listModels()).toEqual([]);
    expect(server.requests.map((request) => request.status)).toEqual([503, 503, 200]);
    expect(delays).toEqual([250, 500]);
    expect(events).toEqual([1, 2]);
  });

  it('draws the jitter from real randomness (Math.random) unless a source is injected', async () => {
    server.failNext({ status: 503, times: 2, method: 'GET' });
    const draws = [0.1, 0.9];
    const random = vi.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0);
    try {
      // The usual test client, without its injected jitter source.
      const options = clientOptions();
      delete options.random;
      await createMlmmClient(options).listModels();
    } finally {
      random.mockRestore();
    }
    expect(delays).toEqual([50, 900]);
    expect(draws).toEqual([]);
  });

  it('retries 429, 500, 502, 504 but not 501 or 400', async () => {
    for (const status of [429, 500, 502, 504]) {
      server.failNext({ status, body: { code: status, msg: 'x' } });
      await client().listModels();
    }
    expect(server.requests).toHaveLength(8);
    server.failNext({ status: 501 });
    await failure(client().listModels());
    expect(server.requests).toHaveLength(9);
  });

  it('gives up after the limit with MlmmRetryError keeping every attempt', async () => {
    server.failNext({ status: 503, times: 5, body: { code: 503, msg: 'Busy' } });
    const error = (await failure(client().listModels())) as MlmmRetryError;
    expect(isMlmmRetryError(error)).toBe(true);
    expect(error.errors).toHaveLength(3);
    expect(error.errors.every((attempt) => isMlmmHttpError(attempt) && attempt.status === 503)).toBe(true);
    expect(error).toMatchObject({ serverCode: 503, msg: 'Busy', code: 'ERR_MLMM_RETRIES_EXHAUSTED' });
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([250, 500]);
  });

  it('honours Retry-After, bounded by maxRetryAfterMs', async () => {
    server.failNext({ status: 429, headers: { 'retry-after': '2' } });
    server.failNext({ status: 503, headers: { 'retry-after': '3600' } });
    await client({ retry: { limit: 3, maxRetryAfterMs: 10_000 } }).listModels();
    expect(delays).toEqual([2000, 10_000]);
  });

  it('never retries the upload (5xx) or the save', async () => {
    server.failNext({ status: 503, method: 'POST', path: '/models/images/upload' });
    const upload = await failure(client().addModel('m', 'ONNX', new Uint8Array([1])));
    expect(isMlmmHttpError(upload) && upload.status).toBe(503);
    expect(server.requests.map((request) => `${request.method} ${request.status}`)).toEqual(['GET 204', 'POST 503']);
    server.requests.length = 0;
    server.failNext({ status: 503, method: 'POST', path: '/models' });
    await failure(client().addModel('m', 'ONNX', new Uint8Array([1])));
    expect(server.requests.map((request) => `${request.method} ${request.status}`)).toEqual(['GET 204', 'POST 200', 'POST 503']);
    expect(delays).toEqual([]);
  });

  it('retries a connection reset on GET', async () => {
    server.resetConnectionNext({ method: 'GET' });
    expect(await client().findModel('m')).toBeNull();
    expect(server.requests.map((request) => request.status)).toEqual([0, 204]);
    expect(delays).toEqual([250]);
  });

  it('does not retry a connection reset on the upload → MlmmNetworkError', async () => {
    server.resetConnectionNext({ method: 'POST' });
    const error = await failure(client().addModel('m', 'ONNX', new Uint8Array([1])));
    expect(isMlmmNetworkError(error)).toBe(true);
    expect(error.serverCode).toBe(0);
    expect(server.requests).toHaveLength(2);
  });

  // The fake server's delays below outlast the test's own timeout: the client's timeout or the
  // abort is the only way out, so no outcome depends on how fast the machine is.
  it('times out per attempt → MlmmTimeoutError, not retried', async () => {
    server.setDelay(10 * 60_000);
    const error = await failure(client({ timeoutMs: 100 }).listModels());
    expect(isMlmmTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ serverCode: 0, timeoutMs: 100 });
    expect(error.msg).toMatch(/Timeout/);
    expect(server.requests).toHaveLength(1);
  });

  it('an abort is never retried → MlmmAbortError', async () => {
    server.setDelay(10 * 60_000);
    const controller = new AbortController();
    const pending = client().listModels({ signal: controller.signal });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 10_000 });
    controller.abort(new Error('user cancelled'));
    const error = await failure(pending);
    expect(isMlmmAbortError(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('an abort during the backoff wait stops at once (default sleep)', async () => {
    server.failNext({ status: 503, times: 3 });
    const controller = new AbortController();
    // A two-minute backoff: a default sleep that ignored the signal would outlast the test's
    // timeout, while the wait still fits in the default 5-minute deadline (so the client waits).
    const backoffMs = 2 * 60_000;
    const waits: number[] = [];
    const pending = createMlmmClient({
      url: server.url,
      token: TOKEN,
      random: () => 0.99,
      retry: { baseDelayMs: backoffMs, maxDelayMs: backoffMs },
      signal: controller.signal,
      // Called just before the wait starts: abort once it is under way.
      onRetry: ({ delayMs }) => {
        waits.push(delayMs);
        setImmediate(() => controller.abort());
      },
    }).listModels();
    const error = await failure(pending);
    expect(isMlmmAbortError(error)).toBe(true);
    expect(waits).toEqual([0.99 * backoffMs]);
    expect(server.requests).toHaveLength(1);
  });

  it('the client-level signal aborts calls too', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(client({ signal: controller.signal }).listModels());
    expect(isMlmmAbortError(error)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });
});

describe('downloadModel', () => {
  it('writes <directory>/<name><ext> atomically and returns the metadata without image, plus file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mlmm-download-'));
    const bytes = new Uint8Array(300).map((_, index) => (index * 7) % 256);
    server.seedModel({ name: 'dga classifier', engine: 'ONNX', bytes, description: 'd' });
    const result = await client().downloadModel('dga classifier', { directory });
    expect(result.file).toBe(join(directory, 'dga classifier.onnx'));
    expect(result).not.toHaveProperty('image');
    expect(result).toMatchObject({ name: 'dga classifier', engine: 'ONNX', description: 'd', id: 1 });
    expect(new Uint8Array(await readFile(result.file))).toEqual(bytes);
    expect(await readdir(directory)).toEqual(['dga classifier.onnx']);
  });

  it('uses the docs/reference/mlmm-api.md §6 extension table case-insensitively', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mlmm-download-'));
    server.seedModel({ name: 'cb', engine: 'catboost', bytes: new Uint8Array([1]) });
    server.seedModel({ name: 'stats', engine: 'MLSTATS', bytes: new Uint8Array([1]) });
    server.seedModel({ name: 'other', engine: 'SOMETHING', bytes: new Uint8Array([1]) });
    expect((await client().downloadModel('cb', { directory })).file).toBe(join(directory, 'cb.cmb'));
    expect((await client().downloadModel('stats', { directory })).file).toBe(join(directory, 'stats'));
    expect((await client().downloadModel('other', { directory })).file).toBe(join(directory, 'other'));
  });

  it('refuses a name that is not a safe file name unless fileName is given', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mlmm-download-'));
    server.seedModel({ name: 'x/y', engine: 'ONNX', bytes: new Uint8Array([9]) });
    for (const name of ['x/y', 'a\\b']) {
      const error = await failure(client().downloadModel(name, { directory }));
      expect(error.code).toBe('ERR_MLMM_INVALID_NAME');
    }
    expect(server.requests).toHaveLength(0);
    const result = await client().downloadModel('x/y', { directory, fileName: 'y.onnx' });
    expect(result.file).toBe(join(directory, 'y.onnx'));
  });

  it('absent model → MlmmModelNotFoundError and no file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mlmm-download-'));
    expect(isMlmmModelNotFoundError(await failure(client().downloadModel('ghost', { directory })))).toBe(true);
    expect(await readdir(directory)).toEqual([]);
  });
});

describe('secrets', () => {
  it('never puts the token in a message, a field or a cause (inspect and JSON)', async () => {
    // An error body that echoes the token must be redacted too.
    server.failNext({ status: 500, body: { code: 42, msg: `bad header standAloneToken=${TOKEN}` } });
    await failure(client({ retry: 0 }).listModels());
    server.failNext({ status: 503, times: 3, body: `<p>${TOKEN}</p>` });
    await failure(client().listModels());
    server.resetConnectionNext();
    await failure(client({ retry: 0 }).listModels());
    await failure(createMlmmClient({ url: server.url, token: `${TOKEN}-x`, authType: 'bearer' }).listModels());
    const closed = createMlmmClient({ url: 'http://127.0.0.1:1/mlmodelmanager', token: TOKEN, retry: 0 });
    await failure(closed.listModels());
    expect(caught.length).toBeGreaterThanOrEqual(5);
    for (const error of caught) {
      const text = inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }) + JSON.stringify(error);
      expect(text.includes(TOKEN)).toBe(false);
    }
  });
});

describe('transport details', () => {
  it('HTTPS to a plain-HTTP port → one line saying the server does not speak HTTPS and the http:// URL to use', async () => {
    const https = server.url.replace(/^http:/, 'https:').replace(/\/+$/, '');
    const error = await failure(client({ url: https, retry: { limit: 0 } }).listModels());
    expect(isMlmmNetworkError(error)).toBe(true);
    expect(error.message).toMatch(new RegExp(`^the server at ${https.replace(/[.?]/g, '\\$&')} does not speak HTTPS; use http://127\\.0\\.0\\.1:\\d+/mlmodelmanager — `));
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toMatch(/SSL routines|openssl/);
  });

  it('an HTML page with HTTP 200 → "answered with HTML, not JSON: check the URL", not "no model named"', async () => {
    const page = '<!doctype html><html><body>Sign in to continue</body></html>';
    server.failNext({ status: 200, body: page, headers: { 'content-type': 'text/html' } });
    const error = await failure(client().getModel('m1'));
    expect(isMlmmResponseError(error)).toBe(true);
    expect(isMlmmModelNotFoundError(error)).toBe(false);
    expect(error.message).toMatch(/^the Model Manager at http:\/\/127\.0\.0\.1:\d+\/mlmodelmanager answered with HTML, not JSON: check the URL — /);
    server.failNext({ status: 200, body: page, headers: { 'content-type': 'text/html' } });
    expect((await failure(client().listModels())).message).toMatch(/answered with HTML, not JSON/);
  });

  it('a reply cut off after the status line → says it was cut off after N bytes, not "before an HTTP answer"', async () => {
    const cut = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('[{"name": "m1"', () => setTimeout(() => request.socket.destroy(), 20));
    });
    cut.listen(0, '127.0.0.1');
    await once(cut, 'listening');
    try {
      const url = `http://127.0.0.1:${(cut.address() as AddressInfo).port}/mlmodelmanager`;
      const error = await failure(client({ url, retry: { limit: 0 } }).listModels());
      expect(isMlmmNetworkError(error)).toBe(true);
      expect(error.message).toMatch(/^the reply was cut off after 14 of 1000 bytes — GET .*\/models answered HTTP 200, then the connection closed/);
      expect(error.message).not.toContain('before an HTTP answer');
    } finally {
      cut.closeAllConnections();
      cut.close();
    }
  });

  it('does not follow redirects (the token could go elsewhere) and says where to point the URL', async () => {
    server.failNext({ status: 302, body: '', headers: { location: 'https://elsewhere.example/mlmodelmanager/models' } });
    const error = await failure(client().listModels());
    expect(error).toMatchObject({ serverCode: 0, msg: 'Unexpected error', status: 302 });
    expect(error.message).toContain('use https://elsewhere.example/mlmodelmanager/models as the base URL');
    expect(server.requests).toHaveLength(1);
  });

  it('rejects credentials in the URL without echoing them', () => {
    expect(() => createMlmmClient({ url: 'https://user:hunter2@api.example/mlmodelmanager', token: TOKEN })).toThrow(
      /credentials in the URL/,
    );
    try {
      createMlmmClient({ url: 'https://user:hunter2@api.example/mlmodelmanager', token: TOKEN });
    } catch (error) {
      expect(inspect(error)).not.toContain('hunter2');
    }
  });

  it('totalTimeoutMs stops retrying when the next wait would exceed the budget', async () => {
    let clock = 0;
    server.failNext({ status: 503, times: 5 });
    const error = await failure(
      client({
        totalTimeoutMs: 600,
        now: () => clock,
        sleep: (milliseconds) => {
          delays.push(milliseconds);
          clock += milliseconds;
          return Promise.resolve();
        },
      }).listModels(),
    );
    // First wait 250 ms (fits in 600), second would end at 250 + 500 = 750 ≥ 600: stop after 2 attempts.
    expect(delays).toEqual([250]);
    expect(isMlmmRetryError(error) && error.errors.length).toBe(2);
    expect(server.requests).toHaveLength(2);
  });
});

describe('files', () => {
  it('an unreadable model file → ERR_MLMM_FILE_SYSTEM before any request', async () => {
    const error = await failure(client().addModel('m', 'ONNX', '/nonexistent/dir/model.onnx'));
    expect(error.code).toBe('ERR_MLMM_FILE_SYSTEM');
    expect(error.message).toContain('/nonexistent/dir/model.onnx');
    expect(server.requests).toHaveLength(0);
  });

  it('an unwritable target → ERR_MLMM_FILE_SYSTEM and no temp file left', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mlmm-download-'));
    await mkdir(join(directory, 'm.onnx')); // a folder where the file should go: rename fails
    server.seedModel({ name: 'm', engine: 'ONNX', bytes: new Uint8Array([1]) });
    const error = await failure(client().downloadModel('m', { directory }));
    expect(error.code).toBe('ERR_MLMM_FILE_SYSTEM');
    expect(await readdir(directory)).toEqual(['m.onnx']);
  });
});

describe('timeouts', () => {
  /** A server that answers a JSON list in 8 chunks, 60 ms apart. */
  async function tricklingServer(): Promise<{ url: string; close: () => Promise<void> }> {
    const raw = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const parts = ['[', '{"name"', ': "a"', '}', ',', '{"name": ', '"b"}', ']'];
      let index = 0;
      const timer = setInterval(() => {
        response.write(parts[index++]);
        if (index === parts.length) {
          clearInterval(timer);
          response.end();
        }
      }, 60);
      response.on('close', () => clearInterval(timer));
    });
    raw.listen(0, '127.0.0.1');
    await once(raw, 'listening');
    const { port } = raw.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/mlmodelmanager`,
      close: async () => {
        raw.closeAllConnections();
        raw.close();
        await once(raw, 'close');
      },
    };
  }

  it('timeoutMs is an idle timeout: a slow answer that keeps flowing completes', async () => {
    const trickle = await tricklingServer();
    try {
      // 1 s without a byte, against chunks 60 ms apart: only a stall of most of a second breaks it.
      const models = await createMlmmClient({ url: trickle.url, token: TOKEN, timeoutMs: 1000 }).listModels();
      expect(models.map((model) => model.name)).toEqual(['a', 'b']);
    } finally {
      await trickle.close();
    }
  });

  it('totalTimeoutMs cuts a flowing answer off at the deadline → MlmmTimeoutError', async () => {
    const trickle = await tricklingServer();
    try {
      // The answer takes at least 420 ms (7 gaps of 60 ms; a slower machine only makes it later) and
      // the idle timeout is far away: only the 200 ms deadline can end it with a timeout.
      const error = await failure(createMlmmClient({ url: trickle.url, token: TOKEN, timeoutMs: 10_000, totalTimeoutMs: 200 }).listModels());
      expect(isMlmmTimeoutError(error)).toBe(true);
    } finally {
      await trickle.close();
    }
  });
});
