import { once } from 'node:events';
import { mkdtemp, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMlmmClient } from './mlmm-client';
import { isMlmmTimeoutError } from './mlmm-error';

const TOKEN = 'secret-token-timeouts';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('timeouts: a deadline that a trickling server cannot extend', () => {
  /** Answers 200 and then one byte of a model reply every 20 ms, forever; `failFirst` answers 503 first. */
  let trickling: Server;
  let url: string;
  let failFirst = 0;
  /** Accepts connections and never answers. */
  let silent: Server;
  let silentUrl: string;

  beforeAll(async () => {
    trickling = createServer((_request, response) => {
      if (failFirst > 0) {
        failFirst -= 1;
        response.writeHead(503, { 'content-type': 'application/json' }).end('{"code":0,"msg":"busy"}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id": 1, "name": "m", "engine": "ONNX", "image": {"image": "');
      const timer = setInterval(() => response.write('A'), 20);
      response.on('close', () => clearInterval(timer));
    });
    silent = createServer(() => {});
    for (const server of [trickling, silent]) {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    }
    url = `http://127.0.0.1:${(trickling.address() as AddressInfo).port}/mlmodelmanager`;
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/mlmodelmanager`;
  });
  afterAll(() => {
    for (const server of [trickling, silent]) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('cuts a download that keeps trickling off at totalTimeoutMs, writing nothing', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mlmm-trickle-'));
    const client = createMlmmClient({ url, token: TOKEN, timeoutMs: 5000, totalTimeoutMs: 300 });
    const error = await failure(client.downloadModel('m', { directory }));
    expect(isMlmmTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'ERR_MLMM_TIMEOUT', kind: 'total', timeoutMs: 300, method: 'GET' });
    expect((error as Error).message).toContain('totalTimeoutMs (300 ms');
    expect(await readdir(directory)).toEqual([]);
  }, 30_000);

  it('has a deadline by default: 5 minutes on the injected clock', async () => {
    let clock = 0;
    failFirst = 1;
    const client = createMlmmClient({
      url,
      token: TOKEN,
      timeoutMs: 5000,
      random: () => 0.5,
      now: () => clock,
      // The retry wait brings the clock to 200 ms before the default deadline.
      sleep: () => {
        clock = 300_000 - 200;
        return Promise.resolve();
      },
    });
    const error = await failure(client.listModels());
    expect(error).toMatchObject({ reason: 'ERR_MLMM_TIMEOUT', kind: 'total', timeoutMs: 300_000 });
  }, 30_000);

  it('a silent server fails with the idle timeout and its value', async () => {
    const error = await failure(createMlmmClient({ url: silentUrl, token: TOKEN, timeoutMs: 150 }).listModels());
    expect(error).toMatchObject({ reason: 'ERR_MLMM_TIMEOUT', kind: 'idle', timeoutMs: 150 });
  }, 30_000);

  it('Infinity turns the deadline off; zero or NaN is refused', () => {
    expect(() => createMlmmClient({ url, token: TOKEN, totalTimeoutMs: Number.POSITIVE_INFINITY })).not.toThrow();
    for (const totalTimeoutMs of [0, -5, Number.NaN]) {
      expect(() => createMlmmClient({ url, token: TOKEN, totalTimeoutMs })).toThrow(/Invalid totalTimeoutMs/);
    }
  });
});
