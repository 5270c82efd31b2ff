import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main';

function io(argv: string[], cwd: string, env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { argv, env, cwd, stdout: (text: string) => void (out.stdout += text), stderr: (text: string) => void (out.stderr += text) },
  };
}

describe('dga-trainer CONFIG.json', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dga-trainer-main-'));

  it('exits 2 with the usage when no config file is given', async () => {
    const { io: args, out } = io([], cwd);
    expect(await main(args)).toBe(2);
    expect(out.stderr).toBe('error: usage: dga-trainer CONFIG.json (a JSON training config; "out" is required)\n');
  });

  it('exits 2 naming the config file and the key, before any training', async () => {
    writeFileSync(join(cwd, 'no-out.json'), JSON.stringify({ epochs: 1 }));
    const { io: args, out } = io(['no-out.json'], cwd);
    expect(await main(args)).toBe(2);
    expect(out.stderr).toBe(`error: config ${join(cwd, 'no-out.json')}: "out" (the run directory) is required\n`);
  });

  it('exits 2 naming a targetFpr outside (0, 1) and a bad familyHoldout, before any training', async () => {
    writeFileSync(join(cwd, 'fpr.json'), JSON.stringify({ out: 'run', targetFpr: 1 }));
    const { io: args, out } = io(['fpr.json'], cwd);
    expect(await main(args)).toBe(2);
    expect(out.stderr).toBe(`error: config ${join(cwd, 'fpr.json')}: "targetFpr" must be a number between 0 and 1 (exclusive), e.g. 0.01 for 1 %; got 1\n`);
    writeFileSync(join(cwd, 'holdout.json'), JSON.stringify({ out: 'run', familyHoldout: { folds: 1 } }));
    const second = io(['holdout.json'], cwd);
    expect(await main(second.io)).toBe(2);
    expect(second.out.stderr).toMatch(/"familyHoldout.folds" must be at least 2/);
  });

  it('exits 2 naming DGA_TFJS_BACKEND when its value is not a backend', async () => {
    writeFileSync(join(cwd, 'ok.json'), JSON.stringify({ out: 'run' }));
    const { io: args, out } = io(['ok.json'], cwd, { DGA_TFJS_BACKEND: 'gpu' });
    expect(await main(args)).toBe(2);
    expect(out.stderr).toMatch(/^error: DGA_TFJS_BACKEND=gpu is not a tfjs backend/);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('exits %s → %i when stopped by that signal', async (signal, code) => {
    writeFileSync(join(cwd, 'stopped.json'), JSON.stringify({ out: 'stopped-run' }));
    const { io: args } = io(['stopped.json'], cwd, { DGA_TFJS_BACKEND: 'cpu' });
    expect(await main({ ...args, signal: AbortSignal.abort(signal) })).toBe(code);
  });
});
