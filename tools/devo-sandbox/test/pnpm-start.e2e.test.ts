import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descendantProcesses, isProcessAlive } from '@dga/test-support';

const repositoryRoot = resolve(import.meta.dirname, '..', '..', '..');

function portAccepts(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      answer(true);
    });
    socket.on('error', () => answer(false));
  });
}

describe('pnpm --filter @dga/devo-sandbox start', () => {
  it('stops the sandbox and frees its port when pnpm gets SIGTERM', { timeout: 120_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'devo-sandbox-pnpm-'));
    const npx = spawn('npx', ['--yes', 'pnpm@12.4.2', '--dir', repositoryRoot, '--filter', '@dga/devo-sandbox', 'start', '--', '--json'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((done) => npx.on('close', (code) => done(code)));
    npx.stderr.resume();
    const started = await new Promise<{ mlmmUrl: string }>((done, fail) => {
      let stdout = '';
      npx.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
        if (line !== undefined) done(JSON.parse(line) as { mlmmUrl: string });
      });
      npx.on('close', () => fail(new Error(`the sandbox did not start:\n${stdout}`)));
    });
    const port = Number(new URL(started.mlmmUrl).port);
    expect(await portAccepts(port)).toBe(true);
    const tree = descendantProcesses(npx.pid!);
    const sandbox = tree.find((info) => /^\S*node\b.*src\/main\.ts/.test(info.command));
    expect(sandbox, tree.map((info) => `${info.pid} ${info.parent} ${info.command}`).join('\n')).toBeDefined();
    const pnpm = tree.find((info) => info.pid === sandbox!.parent);
    expect(pnpm?.command).toMatch(/pnpm/);
    process.kill(pnpm!.pid, 'SIGTERM');
    await exited;
    expect(isProcessAlive(sandbox!.pid)).toBe(false);
    expect(await portAccepts(port)).toBe(false);
  });
});
