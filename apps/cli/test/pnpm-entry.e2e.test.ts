import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendantProcesses, isProcessAlive } from '@dga/test-support';
import { cleanEnv } from './spawn-dga';

// The documented entry point, `pnpm dga …`, run as users run it: through pnpm 12.4.2 (npx), from
// a directory other than the repository root.
const repositoryRoot = resolve(import.meta.dirname, '..', '..', '..');
const pnpm = ['--yes', 'pnpm@12.4.2', '--dir', repositoryRoot, 'dga'];

function runPnpmDga(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('npx', [...pnpm, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('pnpm dga (the documented entry point)', () => {
  const home = mkdtempSync(join(tmpdir(), 'dga-pnpm-home-'));
  const cwd = mkdtempSync(join(tmpdir(), 'dga-pnpm-cwd-'));
  // A Model Manager that accepts connections and never answers: `models list` waits on it.
  const sockets: Socket[] = [];
  let connected: () => void = () => {};
  const firstConnection = new Promise<void>((resolveConnection) => (connected = resolveConnection));
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    connected();
  });

  beforeAll(async () => {
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as { port: number };
    writeFileSync(join(cwd, 'hosts.txt'), 'google.com\nxjw3kq9zt1lmp0a.net\n');
    writeFileSync(join(cwd, 'modelmanager.ini'), `[default]\nurl = http://127.0.0.1:${port}/mlmodelmanager/\ntoken = test-token-0000\n`, { mode: 0o600 });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((closed) => server.close(closed));
  });

  it('resolves a relative --file against the directory the command was typed in', { timeout: 120_000 }, async () => {
    const run = await runPnpmDga(['features', '--file', 'hosts.txt', '--json'], cwd, cleanEnv(home));
    expect(run.stderr).not.toMatch(/no such file/);
    expect(run.code).toBe(0);
    const labels = run.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { label: string }).label);
    expect(labels).toEqual(['google', 'xjw3kq9zt1lmp0a']);
  });

  it('a SIGTERM sent to pnpm stops the node child (exit 143), which found modelmanager.ini in the typed-in directory', { timeout: 120_000 }, async () => {
    const npx = spawn('npx', [...pnpm, 'models', 'list'], { cwd, env: cleanEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    npx.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    npx.stdout.resume();
    const exited = new Promise<number | null>((done) => npx.on('close', (code) => done(code)));
    // The request reached the server named in ./modelmanager.ini: the CLI runs and waits.
    await firstConnection;
    const tree = descendantProcesses(npx.pid!);
    const cli = tree.find((info) => /^\S*node\b.*apps\/cli\/src\/main\.ts models list/.test(info.command));
    expect(cli, `no dga process among:\n${tree.map((info) => `${info.pid} ${info.parent} ${info.command}`).join('\n')}`).toBeDefined();
    // pnpm starts node directly (the script `exec`s it): no shell in between to swallow signals.
    const parent = tree.find((info) => info.pid === cli!.parent);
    expect(parent?.command).toMatch(/pnpm/);
    process.kill(parent!.pid, 'SIGTERM');
    const code = await exited;
    expect(isProcessAlive(cli!.pid)).toBe(false);
    expect(code).toBe(143);
    expect(stderr).toMatch(/^error: interrupted; nothing partial was left behind$/m);
  });
});
