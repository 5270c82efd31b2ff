import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMlmmClient } from './mlmm-client';
import { isMlmmTimeoutError } from './mlmm-error';
import { startFakeMlmmServer } from './fake-mlmm-server';
import type { FakeMlmmServer } from './fake-mlmm-types';

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
  let server: FakeMlmmServer;

  beforeAll(async () => {
    server = await startFakeMlmmServer({ tokens: [TOKEN] });
    server.seedModel({ name: 'm', engine: 'ONNX', bytes: new Uint8Array(4096).fill(7) });
  });
  afterEach(() => {
    server.setTrickle(0);
    server.setDelay(0);
  });
  afterAll(async () => {
    await server.close();
  });

  it('cuts a download that keeps trickling off at totalTimeoutMs, writing nothing', async () => {
    server.setTrickle(20); // one byte every 20 ms: the idle timeout never fires
    const directory = await mkdtemp(join(tmpdir(), 'mlmm-trickle-'));
    const client = createMlmmClient({ url: server.url, token: TOKEN, timeoutMs: 5000, totalTimeoutMs: 300 });
    const error = await failure(client.downloadModel('m', { directory }));
    expect(isMlmmTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_MLMM_TIMEOUT', kind: 'total', timeoutMs: 300, method: 'GET' });
    expect((error as Error).message).toContain('totalTimeoutMs (300 ms');
    expect(await readdir(directory)).toEqual([]);
  }, 30_000);

  it('has a deadline by default: 5 minutes on the injected clock', async () => {
    let clock = 0;
    server.failNext({ status: 503 });
    server.setTrickle(20);
    const client = createMlmmClient({
      url: server.url,
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
    expect(error).toMatchObject({ code: 'ERR_MLMM_TIMEOUT', kind: 'total', timeoutMs: 300_000 });
  }, 30_000);

  it('a silent server fails with the idle timeout and its value', async () => {
    server.setDelay(60_000);
    const error = await failure(createMlmmClient({ url: server.url, token: TOKEN, timeoutMs: 1000 }).listModels());
    expect(error).toMatchObject({ code: 'ERR_MLMM_TIMEOUT', kind: 'idle', timeoutMs: 1000 });
  }, 30_000);

  it('a trickled answer within the deadline completes', async () => {
    server.setTrickle(1);
    const models = await createMlmmClient({ url: server.url, token: TOKEN, timeoutMs: 5000, totalTimeoutMs: 60_000 }).listModels();
    expect(models.map((model) => model.name)).toEqual(['m']);
  }, 30_000);

  it('Infinity turns the deadline off; zero or NaN is refused', () => {
    expect(() => createMlmmClient({ url: server.url, token: TOKEN, totalTimeoutMs: Number.POSITIVE_INFINITY })).not.toThrow();
    for (const totalTimeoutMs of [0, -5, Number.NaN]) {
      expect(() => createMlmmClient({ url: server.url, token: TOKEN, totalTimeoutMs })).toThrow(/Invalid totalTimeoutMs/);
    }
  });
});
