import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess, sink } from '../test/run-cli-in-process';
import { runCli } from './cli';
import { InterruptedError } from './exit-error';

const run = runCliInProcess;

describe('runCli', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dga-cli-'));

  it('fails fast on missing registration settings, before any training, leaving no run directory', async () => {
    writeFileSync(join(cwd, 'data.csv'), 'host;domain;class;subclass\ngoogle.com;google;legit;legit\n');
    const result = await run(['train', '--dataset', 'data.csv', '--out', 'run', '--register', 'm'], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Devo Model Manager settings are missing/);
    expect(existsSync(join(cwd, 'run'))).toBe(false);
  });

  it('names the config file and key when the training config is wrong', async () => {
    writeFileSync(join(cwd, 'train.json'), JSON.stringify({ epochs: -1 }));
    const result = await run(['train', '--config', 'train.json'], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/train\.json: "epochs": expected a positive integer, got -1/);
  });

  it('rejects a missing dataset file and a bad epoch count as usage errors', async () => {
    expect((await run(['train', '--dataset', 'absent.csv'], cwd)).stderr).toMatch(/^error: --dataset .*absent.csv: no such file/);
    expect((await run(['train', '--epochs', 'many'], cwd)).stderr).toBe('error: --epochs "many": expected an integer at least 1\n');
  });

  it('never prints the token, even in --verbose errors', async () => {
    const result = await run(['models', 'list', '--verbose', '--mlmm-url', 'http://127.0.0.1:9/mlmodelmanager', '--token', 'super-secret-token-1234'], cwd);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('super-secret-token-1234');
    expect(result.stderr).toContain('tokenFrom=***');
    // A network failure is the package's typed error: one clear message, no stack, no "bug" notice.
    expect(result.stderr).toMatch(/^error: connect ECONNREFUSED 127\.0\.0\.1:9 .*check the URL/m);
    expect(result.stderr).not.toMatch(/this is a bug| {4}at /);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('ends a run stopped by %s with exit %i', async (signal, code) => {
    const controller = new AbortController();
    controller.abort(new InterruptedError(signal === 'SIGINT' ? 'interrupted' : 'terminated', { signal }));
    const stderr = sink();
    const exitCode = await runCli(['linq', '--features', 'tutorial'], { stdout: sink(), stderr, env: { NO_COLOR: '1', HOME: cwd }, cwd, signal: controller.signal });
    expect(exitCode).toBe(code);
    expect(stderr.text).toMatch(/^error: interrupted/);
  });

  it('never echoes a token pasted into DEVO_MLMM_URL, nor a password in it', async () => {
    const result = await run(['models', 'list', '--verbose'], cwd, { DEVO_MLMM_URL: 'https://alice:pa55word@127.0.0.1:9/mlmodelmanager?token=8f14e45fceea167a', DEVO_TOKEN: 'tok-1234' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('token=***');
    expect(result.stdout + result.stderr).not.toMatch(/8f14e45f|pa55word|tok-1234/);
  });

  it.each([['linq'], ['query', '--from', 'now()-1*hour()']])('accepts -m for --model on %s, as on the other commands', async (...command) => {
    const result = await run([...command, '-m', 'absent.onnx'], cwd, { DEVO_API_URL: 'http://127.0.0.1:9', DEVO_TOKEN: 'tok-1234' });
    expect(result.stderr).not.toMatch(/unknown flag/);
    expect(result.stderr).toMatch(/^error: --model absent\.onnx: no such file/);
  });

  it('prints the query for the tutorial defaults', async () => {
    const result = await run(['linq', '--features', 'tutorial', '--name', 'dga_classifier_onnx'], cwd, { DEVO_DOMAIN: 'acme' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^from demo\.ecommerce\.data\n/);
    expect(result.stdout).toContain('mlevalmodel("acme", "dga_classifier_onnx", [float4(length), float4(entropy), float4(vowel_proportion)])');
  });
});
