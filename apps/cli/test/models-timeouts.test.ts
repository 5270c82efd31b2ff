import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeMlmmServer, type FakeMlmmServer } from '@dga/mlmm-client/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './run-cli-in-process';

const TOKEN = 'mlmm-timeout-token';
const cwd = mkdtempSync(join(tmpdir(), 'dga-models-timeouts-'));

describe('dga models download timeouts', () => {
  let server: FakeMlmmServer;

  beforeAll(async () => {
    server = await startFakeMlmmServer({ tokens: [TOKEN] });
    server.seedModel({ name: 'm1', engine: 'ONNX', bytes: new Uint8Array(4096).fill(1) });
  });
  afterEach(() => {
    server.setTrickle(0);
    server.setDelay(0);
  });
  afterAll(async () => {
    await server.close();
  });

  const download = (out: string, ...extra: string[]) =>
    runCliInProcess(['models', 'download', 'm1', '--out', out, '--mlmm-url', server.url, '--token', TOKEN, ...extra], cwd);

  it('stops a download that trickles a byte at a time at --total-timeout, naming the flag', async () => {
    server.setTrickle(20);
    const out = mkdtempSync(join(cwd, 'out-'));
    const run = await download(out, '--timeout', '10s', '--total-timeout', '300ms');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: GET \S+\/models\/m1\?fast=False did not finish within --total-timeout 300ms \(raise --total-timeout/m);
    expect(run.stderr).not.toContain('totalTimeoutMs');
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    expect(readdirSync(out)).toEqual([]);
  }, 30_000);

  it('gives up on a silent server after --timeout, naming the flag', async () => {
    server.setDelay(10_000);
    const out = mkdtempSync(join(cwd, 'out-'));
    const run = await download(out, '--timeout', '1');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: GET \S+ no data from the server for --timeout 1s \(raise --timeout/m);
    expect(readdirSync(out)).toEqual([]);
  }, 30_000);

  it('refuses a timeout that is not a positive duration (usage error)', async () => {
    const run = await download(cwd, '--total-timeout', '0s');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --total-timeout "0s": expected a positive duration \(for example 30s/m);
  });
});
