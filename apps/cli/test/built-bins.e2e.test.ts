/**
 * The built apps work through their bins: builds @dga/cli and @dga/trainer with their workspace
 * dependencies (turbo, cached, so it works on a fresh clone), then runs `bin/dga.js` and `bin/dga-trainer.js` with plain Node.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockWorkspaceBuild } from '@dga/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModel } from './fixture-model';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dga = join(root, 'apps/cli/bin/dga.js');
const trainer = join(root, 'apps/trainer/bin/dga-trainer.js');
const scratch = mkdtempSync(join(tmpdir(), 'dga-built-'));
const model = join(scratch, 'model.onnx');

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('built apps', () => {
  // The packages' `dist/` folders are rebuilt in place by the pack test too: hold the workspace
  // build lock from this build until the last bin has run.
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    release = await lockWorkspaceBuild();
    const result = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@dga/cli...', '--filter=@dga/trainer...'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      env: { ...process.env, NO_COLOR: '1' },
    });
    if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
    await writeFixtureModel(model);
  }, 900_000);
  afterAll(async () => {
    await release?.();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('dga --version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'apps/cli/package.json'), 'utf8')) as { version: string };
    const result = node([dga, '--version']);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(version);
  });

  it('dga features example.com prints features', () => {
    const result = node([dga, 'features', 'example.com']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('example');
  });

  it('dga classify --workers 2 (the built worker) equals --workers 0', () => {
    // Over 128 KiB of lines, so the workers start (shorter input is scored on the main thread).
    const hosts = Array.from({ length: 12_000 }, (_, index) => ['example.com', 'xjkqzpwvbn.net', 'Bücher.de', '10.0.0.1', `www${index}.qwpoeiruty12345.org`][index % 5]);
    const file = join(scratch, 'hosts.txt');
    writeFileSync(file, hosts.join('\r\n') + '\n');
    const inline = node([dga, 'classify', '--model', model, '--format', 'csv', '--workers', '0', '--file', file]);
    const workers = node([dga, 'classify', '--model', model, '--format', 'csv', '--workers', '2', '--file', file]);
    expect(inline.status, inline.stderr).toBe(0);
    expect(workers.status, workers.stderr).toBe(0);
    expect(workers.stdout.split('\n')).toHaveLength(hosts.length + 2);
    expect(workers.stdout).toBe(inline.stdout);
  }, 120_000);

  it('dga-trainer without arguments exits 2 with the usage line', () => {
    const result = node([trainer]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: dga-trainer CONFIG.json');
  });
});
