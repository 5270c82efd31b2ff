import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import type { DevoSandbox } from '@dga/devo-sandbox';
import { readOnnxModelInfo } from '@dga/onnx-export';
import { cleanEnv, mainFile, runDga, type DgaRun } from './spawn-dga';

const skipData = requireSharedData('sample-small.csv');
const recordModules = pathToFileURL(join(import.meta.dirname, 'fixtures', 'record-modules.mjs')).href;

// Timeouts here are wide on purpose: every test spawns real `dga` processes (a few hundred ms to
// start, about 4 s for a train on the machine these were written on; ten times that was measured
// on a 2-core machine under heavy load), and the suite must pass on any machine CI gets.
const TRAIN_TIMEOUT_MS = 240_000;
const COMMAND_TIMEOUT_MS = 120_000;

function stderrLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

describe('dga --help and --version', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dga-help-'));

  // Startup time itself is not asserted (no wall-clock bounds in tests); what keeps startup fast is
  // that help loads neither tfjs nor onnxruntime nor any command module, which is checked here.
  it('starts without loading tfjs, onnxruntime or any command module', async () => {
    const record = join(cwd, 'modules.txt');
    const run = await runDga(['--help'], { cwd, env: cleanEnv(cwd, { DGA_RECORD_MODULES: record }), imports: [recordModules] });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('USAGE dga');
    for (const command of ['features', 'train', 'export', 'classify', 'evaluate', 'register', 'models', 'linq', 'query']) {
      expect(run.stdout).toContain(command);
    }
    const modules = readFileSync(record, 'utf8');
    expect(modules).toContain('/apps/cli/src/cli.ts');
    expect(modules).not.toMatch(/@tensorflow|onnxruntime|\/vega/);
    expect(modules).not.toContain('/commands/');
  }, COMMAND_TIMEOUT_MS);

  it('shows help at every level and prints only the version', async () => {
    const help = await runDga(['models', 'download', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--out');
    const version = await runDga(['--version'], { cwd });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  }, COMMAND_TIMEOUT_MS);

  it('takes `dga help [command…]` as `dga [command…] --help`', async () => {
    const root = await runDga(['help'], { cwd });
    expect(root.code).toBe(0);
    expect(root.stdout).toBe((await runDga(['--help'], { cwd })).stdout);
    const nested = await runDga(['help', 'models', 'download'], { cwd });
    expect(nested.code).toBe(0);
    expect(nested.stdout).toBe((await runDga(['models', 'download', '--help'], { cwd })).stdout);
    const unknown = await runDga(['help', 'clasify'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command "clasify" for `dga`/m);
  }, COMMAND_TIMEOUT_MS);
});

describe('dga usage errors', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dga-usage-'));
  writeFileSync(join(cwd, 'hosts.csv'), 'host;class\ngoogle.com;legit\n');

  it.each([
    ['an unknown flag', ['classify', '--model', 'm.onnx', '--bogus', 'x'], /^error: unknown flag --bogus for `dga classify`/],
    ['an unknown command', ['clasify'], /^error: unknown command "clasify" for `dga`/],
    ['--quiet with --verbose', ['features', '--quiet', '--verbose', 'google.com'], /^error: --quiet and --verbose contradict each other/],
    ['a missing model file', ['classify', '--model', 'absent.onnx', 'google.com'], /^error: --model absent.onnx: no such file/],
    ['a missing input file', ['features', '--file', 'absent.txt'], /^error: --file absent.txt: no such file/],
    ['a wrong CSV column', ['features', '--file', 'hosts.csv', '--column', 'url'], /^error: --column url: hosts.csv has no such column \(columns: host, class/],
    ['a bad threshold', ['linq', '--threshold', '1.5'], /^error: --threshold 1.5: expected a number between 0 and 1/],
    ['a missing flag value', ['classify', '--model'], /^error: flag --model needs a value/],
    ['missing Devo settings', ['models', 'list'], /^error: Devo Model Manager settings are missing\. Set the Model Manager URL: --mlmm-url or DEVO_MLMM_URL .*; and a token: --token or DEVO_TOKEN/],
  ])('exits 2 with one clear line for %s', async (_name, args, pattern) => {
    const run = await runDga(args, { cwd });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = stderrLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  }, COMMAND_TIMEOUT_MS);

  it.each([
    ['1', /^error: --target-fpr "1": expected a false-positive rate between 0 and 1 \(exclusive\)/],
    ['0', /^error: --target-fpr "0": expected a false-positive rate between 0 and 1 \(exclusive\)/],
    ['1%', /^error: --target-fpr "1%": expected a false-positive rate between 0 and 1 \(exclusive\)/],
  ])('exits 2 for --target-fpr %s, naming the flag and the fix, before any training', async (value, pattern) => {
    const run = await runDga(['train', '--target-fpr', value, '--out', 'never'], { cwd });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(stderrLines(run.stderr)[0]).toMatch(pattern);
    expect(run.stderr).toContain('for example --target-fpr 0.01');
    expect(existsSync(join(cwd, 'never'))).toBe(false);
  }, COMMAND_TIMEOUT_MS);

  it('exits 2 when --threshold and --target-fpr are both given', async () => {
    const run = await runDga(['train', '--threshold', '0.5', '--target-fpr', '0.01', '--out', 'never'], { cwd });
    expect(run.code).toBe(2);
    expect(stderrLines(run.stderr)[0]).toMatch(/^error: --threshold and --target-fpr: pass one/);
  }, COMMAND_TIMEOUT_MS);

  it('exits 2 when the char preset gets another feature set, before any training', async () => {
    const run = await runDga(['train', '--preset', 'char', '--features', 'bigram', '--out', 'never'], { cwd });
    expect(run.code).toBe(2);
    expect(stderrLines(run.stderr)[0]).toMatch(/^error: --preset char needs the char features, not --features bigram/);
    expect(existsSync(join(cwd, 'never'))).toBe(false);
  }, COMMAND_TIMEOUT_MS);

  it('exits 2 naming an unknown DGA_TFJS_BACKEND and the accepted values, before any training', async () => {
    const run = await runDga(['train', '--dataset', 'hosts.csv', '--out', 'never'], { cwd, env: cleanEnv(cwd, { DGA_TFJS_BACKEND: 'gpu' }) });
    expect(run.code).toBe(2);
    expect(stderrLines(run.stderr)[0]).toMatch(/^error: DGA_TFJS_BACKEND=gpu is not a tfjs backend/);
    expect(run.stderr).toContain('auto, node, wasm or cpu');
    expect(existsSync(join(cwd, 'never'))).toBe(false);
  }, COMMAND_TIMEOUT_MS);
});

describe.skipIf(skipData)('dga end to end on sample-small.csv', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dga-e2e-'));
  const dataset = sharedDataFile('sample-small.csv');
  let sandbox: DevoSandbox | undefined;
  /** The `dga train --register` run every test below starts from: it writes `run/` in `cwd`. */
  let trained: DgaRun | undefined;
  const hosts = ['google.com', 'www.wikipedia.org', 'xjwqkdo7zlf3qpu.com', 'kqwhpdmsnrtg.net', 'fizrbzba.dyndns.org'];

  // Shared setup: one sandbox and one trained run directory, made here rather than by a test, so
  // each test can run (and fail) on its own.
  beforeAll(async () => {
    const { startDevoSandbox, createReferralTable, DEMO_TABLE } = await import('@dga/devo-sandbox');
    sandbox = await startDevoSandbox({ tables: { [DEMO_TABLE]: createReferralTable(hosts, { endTime: 1_700_000_000_000, spacingMs: 1000 }) } });
    const env = cleanEnv(cwd, { DEVO_MLMM_URL: sandbox.mlmmUrl, DEVO_TOKEN: sandbox.token });
    trained = await runDga(['train', '--dataset', dataset, '--epochs', '2', '--out', 'run', '--json', '--log-format', 'json', '--register', 'dga_trained'], {
      cwd,
      env,
      timeoutMs: TRAIN_TIMEOUT_MS - 10_000,
    });
    if (trained.code !== 0) throw new Error(`dga train for the shared run directory exited ${trained.code}:\n${trained.stderr}`);
  }, TRAIN_TIMEOUT_MS);
  afterAll(async () => {
    await sandbox?.close();
  });

  it('train writes the run directory and prints the contract JSON', () => {
    const box = sandbox!;
    const run = trained!;
    expect(run.stderr).not.toContain('Hi, looks like');
    expect(run.code, run.stderr).toBe(0);
    for (const line of stderrLines(run.stderr)) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    for (const key of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'threshold', 'confusion', 'perFamily', 'query', 'artifacts']) {
      expect(result).toHaveProperty(key);
    }
    expect(result['featureSet']).toBe('bigram');
    expect(result['registered']).toBe(true);
    expect(box.mlmm.modelFile('dga_trained')?.bytes).toEqual(new Uint8Array(readFileSync(join(cwd, 'run', 'model.onnx'))));
    expect(run.stderr).not.toContain(box.token);
    expect((result['accuracy'] as number) > 0.5).toBe(true);
    for (const file of ['model.onnx', 'tfjs/model.json', 'tfjs/weights.bin', 'model-card.json', 'metrics.json', 'report.html']) {
      expect(existsSync(join(cwd, 'run', file)), file).toBe(true);
    }
    expect(readdirSync(cwd).filter((name) => name.includes('.tmp-'))).toEqual([]);
    const info = readOnnxModelInfo(new Uint8Array(readFileSync(join(cwd, 'run', 'model.onnx'))));
    expect(Object.keys(info.metadata).sort()).toEqual([
      'dga.feature_linq',
      'dga.feature_names',
      'dga.feature_set',
      'dga.feature_set_version',
      'dga.label_names',
      'dga.preset',
      'dga.psl_mode',
      'dga.seed',
      'dga.target_fpr',
      'dga.tfjs_backend',
      'dga.threshold',
    ]);
    // The threshold was chosen at 1 % validation FPR and recorded; the JSON carries the operating points and the family-held-out folds.
    expect(info.metadata['dga.target_fpr']).toBe('0.01');
    expect(Number(info.metadata['dga.threshold'])).toBe(result['threshold']);
    expect(result['targetFpr']).toBe(0.01);
    expect((result['operatingPoints'] as { targetFpr: number }[]).map((point) => point.targetFpr)).toEqual([0.001, 0.01]);
    expect((result['familyHoldout'] as { status: string; folds: unknown[] }).status).toBe('done');
    expect((result['familyHoldout'] as { folds: unknown[] }).folds).toHaveLength(5);
    expect(JSON.parse(info.metadata['dga.feature_names']!)).toHaveLength(242);
    const card = JSON.parse(readFileSync(join(cwd, 'run', 'model-card.json'), 'utf8')) as Record<string, unknown>;
    expect(card['backendReason']).toMatch(/tfjs-node|WebAssembly|cpu/);
  }, COMMAND_TIMEOUT_MS);

  it('train without --json prints a summary: the short tutorial query in full, the long bigram one as a command', async () => {
    const env = cleanEnv(cwd, {});
    const long = await runDga(['train', '--dataset', dataset, '--epochs', '1', '--out', 'run-summary'], { cwd, env, timeoutMs: TRAIN_TIMEOUT_MS });
    expect(long.code, long.stderr).toBe(0);
    expect(long.stdout).toMatch(/F1 0\.\d{4}/);
    expect(long.stdout).toMatch(/Then run in Devo, through the Query API, the classification query \(\d+ lines, \d{5} bytes\); print it with/);
    expect(long.stdout).toContain('dga linq --model run-summary/model.onnx --name dga_classifier_bigram');
    expect(long.stdout).not.toContain('ifthenelse(length(split(');
    expect(long.stdout).toMatch(/Held-out metrics \(threshold 0\.\d+, chosen at 1 % validation FPR; \d+ rows\)/);
    expect(long.stdout).toMatch(/TPR [\d.]+ at 0\.1 % FPR \(threshold [\d.]+\) · TPR [\d.]+ at 1 % FPR/);
    expect(long.stdout).toMatch(/Family-held-out \(5 folds over DGA families, 1000 DGA rows of unseen families, 1000 unseen legit rows\):\n {2}ROC AUC 0\.\d+ +TPR [\d.]+ at 0\.1 % FPR · TPR [\d.]+ at 1 % FPR\n {2}weakest families \(recall\): /);
    const short = await runDga(['train', '--dataset', dataset, '--epochs', '1', '--features', 'tutorial', '--no-family-holdout', '--out', 'run-tutorial'], { cwd, env, timeoutMs: TRAIN_TIMEOUT_MS });
    expect(short.stdout).toContain('Family-held-out evaluation skipped: turned off.');
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).toContain('  group by label every -\n');
    expect(short.stdout).toContain('at(mlevalmodel("self", "dga_classifier_tutorial", [\n      float4(float(length(label))),float4(shannonentropy(label)),');
  }, 2 * TRAIN_TIMEOUT_MS);

  it('export re-creates the ONNX model from the tfjs model with a parity check', async () => {
    const run = await runDga(['export', '--model', 'run/tfjs', '--out', 'again.onnx', '--json'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { parity: { maxAbsDiff: number; rows: number }; metadata: Record<string, string> };
    expect(result.parity.rows).toBeGreaterThan(0);
    expect(result.parity.maxAbsDiff).toBeLessThan(1e-5);
    expect(result.metadata['dga.feature_set']).toBe('bigram');
    const original = readOnnxModelInfo(new Uint8Array(readFileSync(join(cwd, 'run', 'model.onnx')))).metadata;
    expect(result.metadata['dga.threshold']).toBe(original['dga.threshold']);
    expect(result.metadata['dga.target_fpr']).toBe('0.01');
    // The same model gives the same bytes whichever front end exports it (same producer too).
    expect(readFileSync(join(cwd, 'again.onnx')).equals(readFileSync(join(cwd, 'run', 'model.onnx')))).toBe(true);
    // A tolerance below this model's difference fails the parity check, and the hint names the flag.
    expect(result.parity.maxAbsDiff).toBeGreaterThan(0);
    const tolerance = String(result.parity.maxAbsDiff / 2);
    const strict = await runDga(['export', '--model', 'run/tfjs', '--out', 'strict.onnx', '--tolerance', tolerance], { cwd });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`the largest accepted difference is --tolerance ${tolerance}`);
    expect(existsSync(join(cwd, 'strict.onnx'))).toBe(false);
  }, COMMAND_TIMEOUT_MS);

  it('classify streams a file and a CSV column as NDJSON with the contract fields', async () => {
    writeFileSync(join(cwd, 'hosts.txt'), hosts.join('\n') + '\n');
    const run = await runDga(['classify', '--model', 'run/model.onnx', '--file', 'hosts.txt', '--json'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record['input'])).toEqual(hosts);
    expect(Object.keys(records[0]!)).toEqual(['input', 'label', 'length', 'entropy', 'vowel_proportion', 'probability', 'malicious']);
    expect(records[0]).toMatchObject({ label: 'google', length: 6, vowel_proportion: 0.5 });
    expect(records[4]?.['label']).toBe('fizrbzba');
    // The verdict uses the threshold recorded in the model (chosen at 1 % validation FPR), unless --threshold overrides it.
    const recorded = Number(readOnnxModelInfo(new Uint8Array(readFileSync(join(cwd, 'run', 'model.onnx')))).metadata['dga.threshold']);
    expect(recorded).not.toBe(0.5);
    for (const record of records) expect(record['malicious']).toBe((record['probability'] as number) >= recorded);
    const overridden = await runDga(['classify', '--model', 'run/model.onnx', '--file', 'hosts.txt', '--json', '--threshold', '0.5'], { cwd });
    for (const line of overridden.stdout.trim().split('\n')) {
      const record = JSON.parse(line) as { probability: number; malicious: boolean };
      expect(record.malicious).toBe(record.probability >= 0.5);
    }
    const csv = await runDga(['classify', '-m', 'run', '--file', dataset, '--column', 'host', '--format', 'csv', '--quiet'], { cwd });
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('input,label,length,entropy,vowel_proportion,probability,malicious,error');
    expect(lines).toHaveLength(2001);
    // IDN labels are not scored, in every format, with the reason (ADR 0011).
    const idnCsv = await runDga(['classify', '-m', 'run', '--format', 'csv', 'bücher.de', 'localhost'], { cwd });
    expect(idnCsv.stdout.trim().split('\n').slice(1)).toEqual([
      'bücher.de,xn--bcher-kva,,,,,,"not scored: IDN label (punycode), which the model does not judge"',
      'localhost,,,,,,,"no registrable label: it is a single-label host (like ""localhost"") without a public suffix, so it has no registrable label"',
    ]);
    expect(idnCsv.stderr).toMatch(/1 IDN not scored/);
    const idnTable = await runDga(['classify', '-m', 'run', 'xn--bcher-kva.de'], { cwd });
    expect(idnTable.stdout).toMatch(/\nIDN {5,}xn--bcher-kva +xn--bcher-kva\.de\n$/);
    const piped = await runDga(['classify', '-m', 'run/model.onnx'], { cwd, input: 'google.com\n' });
    expect(piped.stdout).toMatch(/^verdict +P\(dga\) +label +input\n(legit|DGA) +0\.\d{4} +google +google\.com\n$/);
  }, COMMAND_TIMEOUT_MS);

  it('evaluate gives the metrics contract, overall and per family', async () => {
    const run = await runDga(['evaluate', '--model', 'run/model.onnx', '--dataset', dataset, '--json'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown> & { confusion: Record<string, number>; perFamily: Record<string, { count: number }> };
    for (const key of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'threshold', 'confusion', 'perFamily', 'operatingPoints']) expect(result).toHaveProperty(key);
    expect(result.rows).toBe(2000);
    expect(result['threshold']).toBe(Number(readOnnxModelInfo(new Uint8Array(readFileSync(join(cwd, 'run', 'model.onnx')))).metadata['dga.threshold']));
    const points = result['operatingPoints'] as { targetFpr: number; tpr: number; threshold: number }[];
    expect(points.map((point) => point.targetFpr)).toEqual([0.001, 0.01]);
    for (const point of points) expect(point.tpr).toBeGreaterThanOrEqual(0);
    expect(result.confusion['tp']! + result.confusion['fp']! + result.confusion['tn']! + result.confusion['fn']!).toBe(2000);
    expect(Object.values(result.perFamily).reduce((sum, family) => sum + family.count, 0)).toBe(2000);
    expect(Object.keys(result.perFamily)).toHaveLength(38);
    // An IDN row is counted as not scored, and the metrics are said to be over the scored rows.
    writeFileSync(join(cwd, 'with-idn.csv'), 'host;domain;class;subclass\ngoogle.com;google;legit;legit\nbücher.de;bücher;legit;legit\nkq3v9z1x.ru;kq3v9z1x;dga;cryptolocker\n');
    const withIdn = await runDga(['evaluate', '--model', 'run/model.onnx', '--dataset', 'with-idn.csv'], { cwd });
    expect(withIdn.code, withIdn.stderr).toBe(0);
    expect(withIdn.stdout).toContain('1 line skipped (idn-label 1)');
    expect(withIdn.stdout).toContain('1 IDN label (xn--) not scored, as classify and the Devo query do not score them: the metrics are over the 2 scored rows');
    // Data problems are runtime failures (exit 1) alike: a bad header, or no usable row.
    writeFileSync(join(cwd, 'bad-header.csv'), 'url,label\ngoogle.com,legit\n');
    writeFileSync(join(cwd, 'no-usable-rows.csv'), 'host;domain;class;subclass\ngoogle.com;google;unknown-class;x\nexample.org;example;unknown-class;x\n');
    const badHeader = await runDga(['evaluate', '--model', 'run/model.onnx', '--dataset', 'bad-header.csv'], { cwd });
    const noRows = await runDga(['evaluate', '--model', 'run/model.onnx', '--dataset', 'no-usable-rows.csv'], { cwd });
    expect(badHeader.code, badHeader.stderr).toBe(1);
    expect(noRows.stderr).toMatch(/^error: .*no-usable-rows\.csv/m);
    expect(noRows.code).toBe(1);
  }, COMMAND_TIMEOUT_MS);

  it('linq uses the threshold recorded in the model unless --threshold overrides it', async () => {
    const recorded = readOnnxModelInfo(new Uint8Array(readFileSync(join(cwd, 'run', 'model.onnx')))).metadata['dga.threshold']!;
    const fromModel = await runDga(['linq', '--model', 'run/model.onnx', '--json'], { cwd });
    expect(fromModel.code, fromModel.stderr).toBe(0);
    expect((JSON.parse(fromModel.stdout) as { query: string }).query).toContain(`>= ${recorded}, "true", "false")`);
    const overridden = await runDga(['linq', '--model', 'run/model.onnx', '--threshold', '0.7', '--json'], { cwd });
    expect((JSON.parse(overridden.stdout) as { query: string }).query).toContain('>= 0.7, "true", "false")');
    const noModel = await runDga(['linq', '--json'], { cwd });
    expect((JSON.parse(noModel.stdout) as { query: string }).query).toContain('>= 0.5, "true", "false")');
  }, COMMAND_TIMEOUT_MS);

  it('register, models and query work against the Devo sandbox without printing the token', async () => {
    const box = sandbox!;
    const env = cleanEnv(cwd, { DEVO_MLMM_URL: box.mlmmUrl, DEVO_API_URL: box.queryUrl, DEVO_TOKEN: box.token });
    const register = await runDga(['register', '--model', 'run/model.onnx', '--name', 'dga_e2e', '--verbose', '--json'], { cwd, env });
    expect(register.code, register.stderr).toBe(0);
    expect(JSON.parse(register.stdout)).toMatchObject({ name: 'dga_e2e', action: 'created', featureSet: 'bigram' });
    const again = await runDga(['register', '--model', 'run/model.onnx', '--name', 'dga_e2e'], { cwd, env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists .*--force/);
    const list = await runDga(['models', 'list', '--json'], { cwd, env });
    expect((JSON.parse(list.stdout) as { name: string }[]).map((model) => model.name)).toContain('dga_e2e');
    const download = await runDga(['models', 'download', 'dga_e2e', '--out', 'downloads', '--json'], { cwd, env });
    expect(download.code, download.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'downloads', 'dga_e2e.onnx'))).toEqual(readFileSync(join(cwd, 'run', 'model.onnx')));
    // The same file again is fine; a different file of that name is kept unless --force.
    const same = await runDga(['models', 'download', 'dga_e2e', '--out', 'downloads'], { cwd, env });
    expect(same.code, same.stderr).toBe(0);
    writeFileSync(join(cwd, 'downloads', 'dga_e2e.onnx'), 'my own model');
    const kept = await runDga(['models', 'download', 'dga_e2e', '--out', 'downloads'], { cwd, env });
    expect(kept.code).toBe(1);
    expect(kept.stderr).toMatch(/dga_e2e\.onnx exists and differs from model "dga_e2e" in the Model Manager; nothing was written \(pass --force to replace it, or --out another folder\)/);
    expect(readFileSync(join(cwd, 'downloads', 'dga_e2e.onnx'), 'utf8')).toBe('my own model');
    const forced = await runDga(['models', 'download', 'dga_e2e', '--out', 'downloads', '--force'], { cwd, env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'downloads', 'dga_e2e.onnx'))).toEqual(readFileSync(join(cwd, 'run', 'model.onnx')));
    const query = await runDga(['query', '--name', 'dga_e2e', '--model', 'run/model.onnx', '--from', '1699999000', '--to', '1700000001', '--json', '--verbose'], { cwd, env });
    expect(query.code, query.stderr).toBe(0);
    const rows = query.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => row['label'])).toEqual(['google', 'wikipedia', 'xjwqkdo7zlf3qpu', 'kqwhpdmsnrtg', 'fizrbzba']);
    const classify = await runDga(['classify', '-m', 'run/model.onnx', '--json', ...hosts], { cwd });
    const local = classify.stdout.trim().split('\n').map((line) => JSON.parse(line) as { probability: number });
    rows.forEach((row, index) => expect(row['dga_probability'] as number).toBeCloseTo(local[index]!.probability, 5));
    for (const run of [register, again, list, download, query]) {
      expect(run.stdout + run.stderr).not.toContain(box.token);
    }
    const csv = await runDga(['query', '--query', 'from demo.ecommerce.data select referralUri', '--from', '1699999000', '--to', '1700000001', '--format', 'csv'], { cwd, env });
    const csvLines = csv.stdout.trim().split('\n');
    expect(csvLines[0]).toMatch(/referralUri/);
    expect(csvLines).toHaveLength(1 + hosts.length);
    expect(csvLines[1]).toContain('google.com');
  }, TRAIN_TIMEOUT_MS); // eight `dga` processes

  it('an interrupted train exits 130 and leaves no partial artifacts', async () => {
    let sent = false;
    const run = await runDga(['train', '--dataset', dataset, '--epochs', '500', '--out', 'interrupted'], {
      cwd,
      onStderr: (text, child) => {
        if (!sent && text.includes('epoch 1/')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/interrupted/);
    expect(existsSync(join(cwd, 'interrupted'))).toBe(false);
    expect(readdirSync(cwd).filter((name) => name.startsWith('.interrupted'))).toEqual([]);
  }, TRAIN_TIMEOUT_MS);
});

describe.skipIf(skipData)('dga train interrupted while it writes the run directory', () => {
  const dataset = sharedDataFile('sample-small.csv');
  const holdWrites = pathToFileURL(join(import.meta.dirname, 'fixtures', 'hold-run-writes.mjs')).href;

  /** A working directory holding a previous run at `run/`, which an interrupted run must leave as it was. */
  function withPreviousRun(): string {
    const cwd = mkdtempSync(join(tmpdir(), 'dga-e2e-write-'));
    mkdirSync(join(cwd, 'run'));
    writeFileSync(join(cwd, 'run', 'model.onnx'), 'previous');
    writeFileSync(join(cwd, 'run', 'model-card.json'), JSON.stringify({ producedBy: '@dga/trainer previous' }));
    return cwd;
  }

  function expectPreviousRunOnly(cwd: string): void {
    // HOME is the working directory here: `.cache` holds the dataset cache.
    expect(readdirSync(cwd).filter((name) => name !== '.cache')).toEqual(['run']);
    expect(readdirSync(join(cwd, 'run')).sort()).toEqual(['model-card.json', 'model.onnx']);
    expect(readFileSync(join(cwd, 'run', 'model.onnx'), 'utf8')).toBe('previous');
  }

  // SIGINT lands while model.onnx is being written (the fixture holds that write): the run waits
  // for it, removes the temporary folder and exits 130. It used to remove the folder under the
  // writes and exit 7 with 30 KB of tfjs-backend-wasm source on stderr.
  it('Ctrl-C exits 130 in one line, keeps the previous run and leaves no temporary folder', async () => {
    const cwd = withPreviousRun();
    let sent = false;
    const run = await runDga(['train', '--dataset', dataset, '--epochs', '1', '--out', 'run'], {
      cwd,
      imports: [holdWrites],
      onStderr: (text, child) => {
        if (!sent && text.includes('test: write in flight')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    const after = run.stderr.slice(run.stderr.indexOf('test: write in flight'));
    expect(stderrLines(after).filter((line) => !line.startsWith('test: '))).toEqual([
      'interrupted: cleaning up (Ctrl-C again to quit at once)',
      'error: interrupted; nothing partial was left behind',
    ]);
    expect(run.stderr).not.toContain('WasmBackendModule');
    expectPreviousRunOnly(cwd);
  }, 120_000);

  it('a second Ctrl-C during the cleanup still removes the temporary folder', async () => {
    const cwd = withPreviousRun();
    let signals = 0;
    const run = await runDga(['train', '--dataset', dataset, '--epochs', '1', '--out', 'run'], {
      cwd,
      imports: [holdWrites],
      onStderr: (text, child) => {
        // The cleanup waits for the held write, so the second Ctrl-C lands during it.
        if ((signals === 0 && text.includes('test: write in flight')) || (signals === 1 && text.includes('interrupted: cleaning up'))) {
          signals += 1;
          child.kill('SIGINT');
        }
      },
    });
    expect(signals).toBe(2);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).not.toContain('WasmBackendModule');
    expectPreviousRunOnly(cwd);
  }, 120_000);
});

describe('dga with stdout on a full disk', () => {
  it.skipIf(!existsSync('/dev/full'))('exits 1 with one line naming stdout, no stack', () => {
    const full = openSync('/dev/full', 'w');
    try {
      // From apps/cli, where `--import tsx` resolves; stdout is /dev/full, every write fails with ENOSPC.
      const run = spawnSync(process.execPath, ['--conditions=@dga/source', '--import', 'tsx', mainFile, 'features', 'google.com'], {
        cwd: dirname(dirname(mainFile)),
        env: cleanEnv(mkdtempSync(join(tmpdir(), 'dga-e2e-full-'))),
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        'error: cannot write the results to stdout (ENOSPC: no space left on device, write) (check that where stdout goes has free space and is writable)\n',
      );
    } finally {
      closeSync(full);
    }
  }, 60_000);
});
