import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModel, writeOverflowModel } from './fixture-model';
import { withOrtTelemetryOn } from '@dga/test-support';
import { cleanEnv, runDga, startDga } from './spawn-dga';

// `dga classify` against a small fixed model made here (no training run needed): long argument
// lists, input that trickles in, signals while it waits for input, and a --model that is a FIFO.

const cwd = mkdtempSync(join(tmpdir(), 'dga-classify-'));
const model = join(cwd, 'model.onnx');

beforeAll(async () => {
  await writeFixtureModel(model);
}, 60_000);
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('dga classify with many arguments', () => {
  it('classifies 40 kB of host arguments exactly as the same hosts from --file (no segfault)', async () => {
    const hosts = Array.from({ length: 2000 }, (_, index) => `www${index}.shop-${index % 13}.example.com`);
    expect(hosts.join(' ').length).toBeGreaterThan(40_000);
    writeFileSync(join(cwd, 'hosts.txt'), hosts.join('\n') + '\n');
    // Telemetry on as on a user's machine: under CI ONNX Runtime skips the code that crashed.
    const env = withOrtTelemetryOn(cleanEnv(cwd));
    const fromFile = await runDga(['classify', '--model', model, '--json', '--file', 'hosts.txt'], { cwd, env });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(lines(fromFile.stdout)).toHaveLength(hosts.length);
    const fromArguments = await runDga(['classify', '--model', model, '--json', ...hosts], { cwd, env });
    expect({ code: fromArguments.code, signal: fromArguments.signal }, fromArguments.stderr).toEqual({ code: 0, signal: null });
    expect(fromArguments.stdout).toBe(fromFile.stdout);
  }, 120_000);
});

describe('dga classify on input that trickles in', () => {
  it('prints each row while stdin stays open, the same bytes as when it all comes at once', async () => {
    const input = ['google.com', 'xjwqkdo7zlf3qpu.com', 'www.bbc.co.uk'];
    const whole = await runDga(['classify', '--model', model, '--json'], { cwd, input: input.join('\n') + '\n' });
    expect(whole.code, whole.stderr).toBe(0);
    const run = startDga(['classify', '--model', model, '--json'], { cwd });
    for (const [index, host] of input.entries()) {
      run.child.stdin.write(`${host}\n`);
      // Waits for the row while the pipe stays open (with 4,096 rows a batch, it used to wait for EOF).
      await run.stdoutMatching((stdout) => lines(stdout).length === index + 1);
    }
    run.child.stdin.end();
    const ended = await run.done;
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toBe(whole.stdout);
  }, 120_000);

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('stops at the first %s while waiting for input, exit %i, rows so far printed', async (signal, code) => {
    const run = startDga(['classify', '--model', model, '--json'], { cwd });
    run.child.stdin.write('google.com\n');
    await run.stdoutMatching((stdout) => lines(stdout).length === 1);
    run.child.kill(signal);
    const ended = await run.done;
    expect({ code: ended.code, signal: ended.signal }, ended.stderr).toEqual({ code, signal: null });
    expect(lines(ended.stdout).map((line) => (JSON.parse(line) as { input: string }).input)).toEqual(['google.com']);
  }, 120_000);
});

describe.skipIf(process.platform === 'win32')('dga classify --file that is a named pipe', () => {
  it('reads it as the writer writes and stops at the first SIGTERM while the writer is silent', async () => {
    const fifo = join(cwd, 'hosts.fifo');
    execFileSync('mkfifo', [fifo]);
    const run = startDga(['classify', '--model', model, '--json', '--file', 'hosts.fifo'], { cwd });
    // Opening for writing waits for dga to open the pipe for reading.
    const writer = await open(fifo, 'w');
    try {
      await writer.write('google.com\n');
      await run.stdoutMatching((stdout) => lines(stdout).length === 1);
      run.child.kill('SIGTERM');
      const ended = await run.done;
      expect({ code: ended.code, signal: ended.signal }, ended.stderr).toEqual({ code: 143, signal: null });
      expect(lines(ended.stdout).map((line) => (JSON.parse(line) as { input: string }).input)).toEqual(['google.com']);
    } finally {
      await writer.close();
    }
  }, 120_000);
});

describe.skipIf(process.platform === 'win32')('dga classify --model that is not a regular file', () => {
  it('refuses a FIFO with a usage error naming it, instead of blocking on it', async () => {
    const fifo = join(cwd, 'model.fifo');
    execFileSync('mkfifo', [fifo]);
    const run = await runDga(['classify', '--model', 'model.fifo', 'google.com'], { cwd, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: --model model\.fifo: .*model\.fifo is a named pipe \(FIFO\), not a regular file/m);
  }, 90_000);
});

describe('dga classify --workers', () => {
  it('prints the same CSV and NDJSON bytes on worker threads as on the main thread', async () => {
    // Over 128 KiB, so the workers start (a shorter input is scored on the main thread).
    const hosts = Array.from({ length: 12_000 }, (_, index) => (index % 97 === 0 ? ['10.0.0.1', '-', 'Bücher.de', 'localhost'][index % 4]! : `www${index}.Shop-${index % 13}.example.co.uk`));
    writeFileSync(join(cwd, 'workers.txt'), hosts.join('\r\n') + '\n');
    for (const format of ['csv', 'json']) {
      const args = ['classify', '--model', model, '--file', 'workers.txt', '--format', format, '--batch-size', '100'];
      const main = await runDga([...args, '--workers', '0'], { cwd });
      const workers = await runDga([...args, '--workers', '2'], { cwd });
      expect(main.code, main.stderr).toBe(0);
      expect(workers.code, workers.stderr).toBe(0);
      expect(lines(workers.stdout)).toHaveLength(hosts.length + (format === 'csv' ? 1 : 0));
      expect(workers.stdout).toBe(main.stdout);
      const untimed = (text: string) => text.replace(/seconds=[\d.]+/g, 'seconds=…');
      expect(untimed(workers.stderr)).toBe(untimed(main.stderr));
    }
  }, 120_000);

  it('ends the workers it started early when the model cannot be read: exit 1, nothing printed', async () => {
    // Over 128 KiB, so the workers start before the model is read.
    writeFileSync(join(cwd, 'early.txt'), Array.from({ length: 20_000 }, (_, index) => `www${index}.example.com`).join('\n') + '\n');
    writeFileSync(join(cwd, 'not-a-model.onnx'), 'not an ONNX model');
    const run = await runDga(['classify', '--model', 'not-a-model.onnx', '--file', 'early.txt', '--workers', '2'], { cwd });
    expect({ code: run.code, signal: run.signal }, run.stderr).toEqual({ code: 1, signal: null });
    expect(run.stderr).toMatch(/^error: --model not-a-model\.onnx/m);
    expect(run.stdout).toBe('');
  }, 120_000);

  it('stops with exit 1 and the error naming the input when a worker fails; the rows before it are whole', async () => {
    const overflow = join(cwd, 'overflow.onnx');
    await writeOverflowModel(overflow, 30);
    const bad = `${'q'.repeat(40)}.com`;
    const hosts = Array.from({ length: 24_000 }, (_, index) => `www${index}.shop-${index % 13}.example.com`);
    hosts.splice(18_000, 0, bad);
    writeFileSync(join(cwd, 'failing.txt'), hosts.join('\n') + '\n');
    const run = await runDga(['classify', '--model', overflow, '--file', 'failing.txt', '--format', 'csv', '--workers', '2'], { cwd });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`error: input ${JSON.stringify(bad)}: ${overflow} scored row`);
    expect(run.stdout.endsWith('\n')).toBe(true);
    const rows = lines(run.stdout);
    expect(rows[0]).toBe('input,label,length,entropy,vowel_proportion,probability,malicious,error');
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.length).toBeLessThanOrEqual(18_001);
    expect(rows.slice(1).map((row) => row.split(',')[0])).toEqual(hosts.slice(0, rows.length - 1));
  }, 120_000);
});
