import { once } from 'node:events';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMlmmClient } from './mlmm-client';
import { startFakeMlmmServer } from './fake-mlmm-server';
import type { FakeMlmmServer } from './fake-mlmm-types';
import { MlmmError } from './mlmm-error';

const TOKEN = 'limits-token-5c9d';
const MIB = 1024 * 1024;

let server: FakeMlmmServer;
beforeEach(async () => {
  server = await startFakeMlmmServer({ tokens: [TOKEN] });
});
afterEach(async () => {
  await server.close();
});

/** The MlmmError `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<MlmmError> {
  const settled = await promise.then(() => new Error('expected a rejection'), (caught: unknown) => caught);
  expect(MlmmError.isInstance(settled), String(settled)).toBe(true);
  return settled as MlmmError;
}

/**
 * A gzip bomb that never ends: zeros gzip-compressed and written for as long as the client
 * reads. A client that buffers the whole body before checking its size never returns.
 */
async function startEndlessGzipServer(): Promise<{ url: string; sentBytes: () => number; close: () => Promise<void> }> {
  let sent = 0;
  const zeros = Buffer.alloc(MIB);
  const httpServer: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const gzip = createGzip();
    gzip.on('data', (chunk: Buffer) => (sent += chunk.length));
    gzip.pipe(response);
    const pump = (): void => {
      while (!response.destroyed && gzip.write(zeros)) {
        /* keep writing until back-pressure */
      }
      if (!response.destroyed) gzip.once('drain', pump);
    };
    response.on('close', () => gzip.destroy());
    pump();
  });
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mlmodelmanager`,
    sentBytes: () => sent,
    close: async () => {
      httpServer.closeAllConnections();
      httpServer.close();
      await once(httpServer, 'close');
    },
  };
}

describe('reply size caps', () => {
  it('cuts off an endless gzip bomb at maxResponseBytes while it streams, with ERR_MLMM_RESPONSE_TOO_LARGE', async () => {
    const bomb = await startEndlessGzipServer();
    try {
      const client = createMlmmClient({ url: bomb.url, token: TOKEN, retry: 0, maxResponseBytes: 4 * MIB });
      const error = await failure(client.listModels());
      expect(error.code).toBe('ERR_MLMM_RESPONSE_TOO_LARGE');
      expect(error.message).toMatch(/^Response too large: more than 4194304 bytes — GET .*\/models sent a body of more than 4194304 bytes \(after decompression\)/);
      expect(error.message).toContain('raise maxResponseBytes');
      expect(error.message).not.toContain(TOKEN);
      // Compressed zeros are ~1000:1; the client stopped after a few MiB of inflated data.
      expect(bomb.sentBytes()).toBeLessThan(4 * MIB);
    } finally {
      await bomb.close();
    }
  }, 60_000);

  it('applies the 64 MiB default to a small gzip reply that inflates past it (the fake server gzips on request)', async () => {
    const huge = `[${'{"name":"m","engine":"ONNX"},'.repeat(2_400_000)}{"name":"m","engine":"ONNX"}]`; // ~67 MB of JSON
    server.failNext({ status: 200, path: '/models', body: huge, gzip: true });
    const error = await failure(createMlmmClient({ url: server.url, token: TOKEN }).listModels());
    expect(error.code).toBe('ERR_MLMM_RESPONSE_TOO_LARGE');
    expect(error.message).toContain('more than 67108864 bytes');
  }, 60_000);

  it('accepts a reply under the cap, gzip-compressed or not', async () => {
    server.seedModel({ name: 'm1', engine: 'ONNX', bytes: new Uint8Array([1, 2, 3]) });
    const client = createMlmmClient({ url: server.url, token: TOKEN, maxResponseBytes: 4096 });
    expect((await client.listModels()).map((model) => model.name)).toEqual(['m1']);
    server.failNext({ status: 200, path: '/models', body: [{ name: 'zipped', engine: 'ONNX' }], gzip: true });
    expect((await client.listModels()).map((model) => model.name)).toEqual(['zipped']);
  });

  it('caps the download reply with maxDownloadBytes, separately from maxResponseBytes', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mlmm-limit-'));
    server.seedModel({ name: 'big', engine: 'ONNX', bytes: new Uint8Array(300_000).fill(7) });
    const client = createMlmmClient({ url: server.url, token: TOKEN, maxResponseBytes: 1024, maxDownloadBytes: 100_000 });
    expect((await client.getModel('big')).name).toBe('big');
    const error = await failure(client.downloadModel('big', { directory }));
    expect(error.code).toBe('ERR_MLMM_RESPONSE_TOO_LARGE');
    expect(error.message).toContain('raise maxDownloadBytes');
    expect(await readdir(directory)).toEqual([]);
  });

  it('refuses caps that are not whole byte counts up to 512 MiB', () => {
    for (const maxResponseBytes of [0, -1, 1.5, 513 * MIB]) {
      expect(() => createMlmmClient({ url: server.url, token: TOKEN, maxResponseBytes })).toThrow(/Invalid maxResponseBytes/);
    }
  });
});

describe('downloadModel verification', () => {
  const html = Buffer.from('<html><body>Please sign in</body></html>');

  async function folderWithModel(): Promise<{ directory: string; file: string; original: Buffer }> {
    const directory = await mkdtemp(join(tmpdir(), 'mlmm-verify-'));
    const file = join(directory, 'm1.onnx');
    const original = Buffer.alloc(2048, 9);
    await writeFile(file, original);
    return { directory, file, original };
  }

  it('refuses a file whose size differs from the declared image.size, leaving the existing file untouched', async () => {
    const { directory, file, original } = await folderWithModel();
    server.failNext({
      status: 200,
      path: '/models/m1',
      body: { id: 1, name: 'm1', engine: 'ONNX', image: { id: 100, size: 200_000, image: html.toString('base64') } },
    });
    const error = await failure(createMlmmClient({ url: server.url, token: TOKEN }).downloadModel('m1', { directory }));
    expect(error.code).toBe('ERR_MLMM_RESPONSE_INVALID');
    expect(error.message).toMatch(new RegExp(`"image\\.size" says 200000 bytes but "image\\.image" decodes to ${html.length} — .*nothing was written`));
    expect(await readFile(file)).toEqual(original);
    expect(await readdir(directory)).toEqual(['m1.onnx']);
  });

  it('lets verify refuse the bytes before anything is written; its error propagates unchanged', async () => {
    const { directory, file, original } = await folderWithModel();
    server.seedModel({ name: 'm1', engine: 'ONNX', bytes: html });
    const refusal = new Error('not an ONNX model');
    let seen: Uint8Array | undefined;
    let target: string | undefined;
    const promise = createMlmmClient({ url: server.url, token: TOKEN }).downloadModel('m1', {
      directory,
      verify: (bytes, to) => {
        seen = bytes;
        target = to;
        throw refusal;
      },
    });
    await expect(promise).rejects.toBe(refusal);
    expect(Buffer.from(seen!)).toEqual(html);
    // It is told where the file would go, so it can refuse to replace a different one there.
    expect(target).toBe(file);
    expect(await readFile(file)).toEqual(original);
    expect(await readdir(directory)).toEqual(['m1.onnx']);
  });

  it('writes the file when the size matches and verify accepts it', async () => {
    const { directory, file } = await folderWithModel();
    const bytes = new Uint8Array([8, 1, 18, 0]);
    server.seedModel({ name: 'm1', engine: 'ONNX', bytes });
    const result = await createMlmmClient({ url: server.url, token: TOKEN }).downloadModel('m1', { directory, verify: () => undefined });
    expect(result.file).toBe(file);
    expect(new Uint8Array(await readFile(file))).toEqual(bytes);
  });
});
