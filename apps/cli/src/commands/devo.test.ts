import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createReferralTable, linqSemanticsChoices, startDevoSandbox, type LinqSemantics } from '@dga/devo-sandbox';
import { createModel } from '@dga/model';
import { createModelMetadata, exportToOnnx } from '@dga/onnx-export';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli';

/** The CLI resolves `now()-1*day()` with the real clock, so the table ends a minute before it. */
const now = Date.now();

function sink(): { write(chunk: string): boolean; text: string } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

interface ProbeRun {
  code: number;
  stdout: string;
  stderr: string;
  failing: string[];
}

/** Runs `dga devo probe` in-process against a fresh sandbox emulating `semantics`. */
async function probe(cwd: string, modelBytes: Uint8Array, options: { semantics?: Partial<LinqSemantics>; model?: string; hosts?: string[]; extra?: string[]; register?: boolean; script?: (sandbox: Awaited<ReturnType<typeof startDevoSandbox>>) => void } = {}): Promise<ProbeRun> {
  const sandbox = await startDevoSandbox({
    tables: { 'demo.ecommerce.data': createReferralTable(options.hosts ?? ['www.google.com', 'kqwhpdmsnrtg.net'], { endTime: now - 60_000 }) },
    now: () => now,
    ...(options.semantics === undefined ? {} : { semantics: options.semantics }),
  });
  try {
    if (options.register !== false) sandbox.mlmm.seedModel({ name: 'probe_model', engine: 'ONNX', bytes: modelBytes });
    options.script?.(sandbox);
    const stdout = sink();
    const stderr = sink();
    const env = { NO_COLOR: '1', HOME: cwd, DEVO_API_URL: sandbox.queryUrl, DEVO_MLMM_URL: sandbox.mlmmUrl, DEVO_TOKEN: sandbox.token };
    const argv = ['devo', 'probe', '--model', options.model ?? 'model.onnx', '--name', 'probe_model', '--json', ...(options.extra ?? [])];
    const code = await runCli(argv, { stdout, stderr, env, cwd, stdin: Object.assign(Readable.from([]), { isTTY: true }) });
    let failing: string[] = [];
    if (stdout.text !== '') {
      const report = JSON.parse(stdout.text) as { checks: { id: string; ok: boolean }[] };
      failing = report.checks.filter((check) => !check.ok).map((check) => check.id);
    }
    return { code, stdout: stdout.text, stderr: stderr.text, failing };
  } finally {
    await sandbox.close();
  }
}

describe('dga devo probe against the Devo sandbox', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dga-probe-'));
  let bytes: Uint8Array;

  beforeAll(async () => {
    const model = createModel({ preset: 'tutorial', featureSet: 'tutorial', seed: 42 });
    for (const psl of ['all', 'icann'] as const) {
      const metadata = createModelMetadata({ featureSet: 'tutorial', seed: 42, preset: 'tutorial', tfjsBackend: 'cpu', pslMode: psl });
      const exported = await exportToOnnx(model, { metadata });
      writeFileSync(join(cwd, psl === 'all' ? 'model.onnx' : 'model-icann.onnx'), exported.bytes);
      bytes = psl === 'all' ? exported.bytes : bytes;
    }
  }, 60_000);

  it('passes every check, model scores included, under the default readings', async () => {
    const run = await probe(cwd, bytes);
    expect(run.code, run.stderr).toBe(0);
    expect(run.failing).toEqual([]);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: { id: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.id)).toEqual([
      'rootsuffix_psl', 'lower', 'split_host', 'contains', 'substring_pairs', 'locate_codes', 'countbyfilter_set', 'entropy_base2', 'substring_last', 'rootsuffix_case', 'split_trailing_empty',
      'locate_base', 'locate_not_found', 'locate_not_found_null', 'contains_case', 'model_google', 'model_xjwqkdo7zlf3qpu', 'model_null_feature',
    ]);
  }, 60_000);

  it('checks substring and scores an ngram model through its pair tables', async () => {
    const model = createModel({ preset: 'default', featureSet: 'ngram', seed: 42 });
    const metadata = createModelMetadata({ featureSet: 'ngram', seed: 42, preset: 'default', tfjsBackend: 'cpu', pslMode: 'all' });
    const exported = await exportToOnnx(model, { metadata });
    model.dispose();
    writeFileSync(join(cwd, 'model-ngram.onnx'), exported.bytes);
    const run = await probe(cwd, exported.bytes, { model: 'model-ngram.onnx' });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { checks: { id: string; ok: boolean; relied: boolean }[] };
    expect(report.checks.filter((check) => ['substring_pairs', 'model_google', 'model_xjwqkdo7zlf3qpu'].includes(check.id))).toEqual([
      expect.objectContaining({ id: 'substring_pairs', ok: true, relied: true }),
      expect.objectContaining({ id: 'model_google', ok: true }),
      expect.objectContaining({ id: 'model_xjwqkdo7zlf3qpu', ok: true }),
    ]);
  }, 60_000);

  it('checks locate and scores a char model through its alphabet column, under every locate reading', async () => {
    const model = createModel({ preset: 'char', featureSet: 'char', seed: 42 });
    const metadata = createModelMetadata({ featureSet: 'char', seed: 42, preset: 'char', tfjsBackend: 'cpu', pslMode: 'all' });
    const exported = await exportToOnnx(model, { metadata });
    model.dispose();
    writeFileSync(join(cwd, 'model-char.onnx'), exported.bytes);
    for (const locateBase of linqSemanticsChoices.locateBase) {
      for (const locateNotFound of linqSemanticsChoices.locateNotFound) {
        const run = await probe(cwd, exported.bytes, { model: 'model-char.onnx', semantics: { locateBase, locateNotFound } });
        expect(run.code, run.stderr).toBe(0);
        const report = JSON.parse(run.stdout) as { checks: { id: string; ok: boolean; relied: boolean }[] };
        expect(report.checks.filter((check) => ['locate_codes', 'model_google', 'model_xjwqkdo7zlf3qpu'].includes(check.id))).toEqual([
          expect.objectContaining({ id: 'locate_codes', ok: true, relied: true }),
          expect.objectContaining({ id: 'model_google', ok: true }),
          expect.objectContaining({ id: 'model_xjwqkdo7zlf3qpu', ok: true }),
        ]);
      }
    }
  }, 120_000);

  it('tells every variant apart, and exits 1 only when the query relies on the failed assumption', async () => {
    const signatures = new Map<string, string>();
    const relied = new Set(['pslRules', 'countbyfilter', 'entropyBase']);
    for (const [key, values] of Object.entries(linqSemanticsChoices)) {
      for (const value of values.slice(1)) {
        const run = await probe(cwd, bytes, { semantics: { [key]: value } });
        const signature = run.failing.join(',');
        expect(signature, `${key}=${value}`).not.toBe('');
        expect([...signatures.entries()].find(([, other]) => other === signature), `${key}=${value}`).toBeUndefined();
        signatures.set(`${key}=${value}`, signature);
        expect(run.code, `${key}=${value}: ${run.stderr}`).toBe(relied.has(key) ? 1 : 0);
      }
    }
    expect(signatures.size).toBe(10);
  }, 120_000);

  it('names the fix when rootsuffix ignores private rules, and passes with a model trained with --psl icann', async () => {
    const mismatch = await probe(cwd, bytes, { semantics: { pslRules: 'icann' } });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/rootsuffix_psl/);
    expect(mismatch.stderr).toMatch(/dga train --psl icann/);
    const icann = await probe(cwd, bytes, { semantics: { pslRules: 'icann' }, model: 'model-icann.onnx' });
    expect(icann.code, icann.stderr).toBe(0);
  }, 60_000);

  it('refuses a --from the Query API would reject as a usage error, not as a query Devo rejected', async () => {
    for (const from of ['2024-13-45', '2024-01-01T00:00:00Z']) {
      const result = await probe(cwd, bytes, { extra: ['--from', from] });
      expect(result.code, from).toBe(2);
      expect(result.stderr).toMatch(/^error: Invalid query option "from": /);
      expect(result.stderr).not.toContain('Devo rejected');
      expect(result.stderr).toContain('(--from and --to take now()-1*hour()');
    }
  }, 60_000);

  it('fails clearly on a missing model, a table without rows, a rejected query and ML turned off', async () => {
    const missing = await probe(cwd, bytes, { register: false });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/model "probe_model" is not registered/);
    expect(missing.stderr).toMatch(/dga register/);
    const empty = await probe(cwd, bytes, { hosts: [], extra: ['--from', String(Math.floor(now / 1000) - 30)] });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/returned no rows/);
    expect(empty.stderr).toMatch(/--table/);
    const rejected = await probe(cwd, bytes, { extra: ['--table', 'no.such.table'] });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/Devo rejected the probe query: .*no\.such\.table/);
    const mlOff = await probe(cwd, bytes, {
      script: (sandbox) => sandbox.query.script({}, { httpError: { status: 500, body: { msg: 'Error Launching Query', status: 500, object: ['Error Launching Query', 'Machine learning is not enabled in this domain'] } } }),
    });
    expect(mlOff.code).toBe(1);
    expect(mlOff.stderr).toMatch(/Devo rejected the model query: .*Machine learning is not enabled/);
    expect(mlOff.stderr).toMatch(/ML is enabled in the domain/);
  }, 60_000);
});
