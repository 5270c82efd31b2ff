import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeMlmmServer } from '@dga/mlmm-client/testing';
import { createModelMetadata, exportToOnnx } from '@dga/onnx-export';
import { runCliInProcess } from '../../test/run-cli-in-process';

const cwd = mkdtempSync(join(tmpdir(), 'dga-contract-'));

const run = (argv: string[]) => runCliInProcess(argv, cwd);

/** One Dense layer `[N, inputs] → [N, units]`, weights filled with `weight`, exported without the parity check. */
async function writeModel(
  file: string,
  options: { inputs?: number; units?: number; activation?: 'softmax' | 'sigmoid'; weight?: number; metadata?: Record<string, string> },
): Promise<void> {
  const inputs = options.inputs ?? 3;
  const units = options.units ?? 2;
  const model = tf.sequential({ layers: [tf.layers.dense({ units, inputShape: [inputs], activation: options.activation ?? 'softmax' })] });
  const weight = options.weight ?? 0.1;
  // Column 0 weighs +weight, the others -weight: a huge weight overflows to (+Inf, -Inf) → NaN after softmax.
  const kernel = Array.from({ length: inputs }, () => Array.from({ length: units }, (_value, column) => (column === 0 ? weight : -weight)));
  model.setWeights([tf.tensor2d(kernel), tf.zeros([units])]);
  const { bytes } = await exportToOnnx(model, { metadata: options.metadata ?? {}, verifyParity: false });
  writeFileSync(join(cwd, file), bytes);
  model.dispose();
}

const metadata = createModelMetadata({ featureSet: 'tutorial', seed: 1, preset: 'tutorial', tfjsBackend: 'cpu' });
// The exporter itself refuses label/feature names whose count differs from the layer widths.
const { ['dga.label_names']: _labels, ...withoutLabels } = metadata;
const { ['dga.feature_names']: _names, ...withoutNames } = metadata;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await writeModel('good.onnx', { metadata });
  await writeModel('other.onnx', { metadata, weight: 0.2 });
  await writeModel('sigmoid.onnx', { units: 1, activation: 'sigmoid', metadata: withoutLabels });
  await writeModel('three.onnx', { units: 3, metadata: withoutLabels });
  await writeModel('wide.onnx', { inputs: 5, metadata: withoutNames });
  await writeModel('bare.onnx', {});
  await writeModel('nan.onnx', { weight: 3e38, metadata });
  writeFileSync(join(cwd, 'text.onnx'), 'hello\n');
  writeFileSync(join(cwd, 'card.onnx'), JSON.stringify({ seed: 42, preset: 'default', featureSet: 'bigram' }));
  writeFileSync(join(cwd, 'empty.onnx'), '');
  writeFileSync(join(cwd, 'labelled.csv'), 'host;domain;class;subclass\ngoogle.com;google;legit;legit\nxjwqkdo7zlf3qpu.com;xjwqkdo7zlf3qpu;dga;cryptolocker\n');
}, 120_000);

const fix = /\(use a model written by `dga train`, or re-export its run directory with `dga export --model RUN --out model\.onnx`\)/;

describe('model contract checked at load by every command', () => {
  const connection = ['--mlmm-url', 'http://127.0.0.1:9/mlmodelmanager', '--token', 't0k3n'];
  it.each([
    ['classify --json', ['classify', '--json', '--model', 'sigmoid.onnx', 'google.com', 'xjwqkdo7zlf3qpu.com']],
    ['classify --format csv', ['classify', '--format', 'csv', '--model', 'sigmoid.onnx', 'google.com']],
    ['classify (table)', ['classify', '--model', 'sigmoid.onnx', 'google.com']],
    ['evaluate', ['evaluate', '--model', 'sigmoid.onnx', '--dataset', 'labelled.csv']],
    ['register', ['register', '--model', 'sigmoid.onnx', '--name', 'm', ...connection]],
    ['linq', ['linq', '--model', 'sigmoid.onnx', '--name', 'm']],
    ['query', ['query', '--from', 'now()-1*hour()', '--model', 'sigmoid.onnx', '--name', 'm', '--api-url', 'http://127.0.0.1:9', '--token', 't0k3n']],
    ['features', ['features', '--model', 'sigmoid.onnx', 'google.com']],
  ])('%s refuses a single-sigmoid model with exit 1, naming the file, the problem and the fix', async (_name, argv) => {
    const result = await run(argv);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: --model sigmoid.onnx (${join(cwd, 'sigmoid.onnx')}): Not a DGA classifier: its output "output" is [N, 1]`);
    expect(result.stderr).toMatch(fix);
  });

  it.each([
    ['three outputs', 'three.onnx', /its output "output" is \[N, 3\] \(3 scores per row\), not \[N, 2\]/],
    ['an input wider than the feature set', 'wide.onnx', /feature set "tutorial" \(3 features\) but its input "input" is \[N, 5\]/],
    ['no dga metadata', 'bare.onnx', /it has no dga\.feature_set metadata/],
  ])('classify refuses a model with %s', async (_name, file, pattern) => {
    const result = await run(['classify', '--json', '--model', file, 'google.com']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr).toContain(`--model ${file} (`);
    // The library says what is wrong; the CLI, not a library function, says how to fix it.
    expect(result.stderr).toContain("The file was not written by this toolkit's ONNX exporter");
    expect(result.stderr).not.toMatch(/exportToOnnx|createModelMetadata/);
    expect(result.stderr).toMatch(fix);
  });

  it('names an absolute --model path once', async () => {
    const absolute = join(cwd, 'sigmoid.onnx');
    const result = await run(['classify', '--model', absolute, 'google.com']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: --model ${absolute}: Not a DGA classifier`);
    expect(result.stderr).not.toContain(`(${absolute})`);
  });

  it.each([
    ['a text file', 'text.onnx', /the 6 bytes are not an ONNX ModelProto/],
    ['a JSON file', 'card.onnx', /bytes are not an ONNX ModelProto/],
    ['an empty file', 'empty.onnx', /it has no graph or an empty graph/],
  ])('classify refuses %s given as the model, saying what is wrong and how to fix it in dga terms', async (_name, file, pattern) => {
    const result = await run(['classify', '--model', file, 'google.com']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/exportToOnnx|createModelMetadata/);
    expect(result.stderr).toMatch(fix);
  });

  it('classify and evaluate stop on a NaN score with exit 1 naming the model and the input, never printing a verdict', async () => {
    const classify = await run(['classify', '--json', '--model', 'nan.onnx', 'google.com']);
    expect(classify.code).toBe(1);
    expect(classify.stdout).toBe('');
    expect(classify.stderr).toContain(`error: input "google.com": ${join(cwd, 'nan.onnx')} scored row 0 as [NaN, NaN]: a non-finite score is no verdict`);
    const evaluate = await run(['evaluate', '--model', 'nan.onnx', '--dataset', 'labelled.csv']);
    expect(evaluate.code).toBe(1);
    expect(evaluate.stdout).toBe('');
    expect(evaluate.stderr).toContain(`error: --dataset labelled.csv, usable row 1: ${join(cwd, 'nan.onnx')} scored row 0 as [NaN, NaN]`);
  });

  it('classify and features warn about a huge input without echoing it whole on stderr', async () => {
    const huge = `${'a'.repeat(100_000)}.com`;
    for (const argv of [['classify', '--format', 'csv', '--model', 'good.onnx', 'google.com', huge], ['features', 'google.com', huge]]) {
      const result = await run(argv);
      expect(result.code, result.stderr).toBe(0);
      const warning = result.stderr.split('\n').find((line) => line.startsWith('warning: ') && line.includes('aaaa'));
      expect(warning, argv[0]).toMatch(/"a{20,}"… \(100004 bytes\)/);
      expect(warning!.length).toBeLessThan(400);
    }
  });

  it('still classifies with a model that keeps the contract', async () => {
    const result = await run(['classify', '--json', '--model', 'good.onnx', 'google.com']);
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as { input: string; probability: number };
    expect(record.input).toBe('google.com');
    expect(Number.isFinite(record.probability)).toBe(true);
  });
});

describe('models download verifies the model before replacing anything', () => {
  it('refuses an HTML page or a contract-breaking model with exit 1 and keeps the existing file; writes a valid one', async () => {
    const server = await startFakeMlmmServer({ tokens: ['t0k3n'] });
    try {
      const directory = join(cwd, 'downloads');
      mkdirSync(directory, { recursive: true });
      const existing = readFileSync(join(cwd, 'good.onnx'));
      writeFileSync(join(directory, 'm1.onnx'), existing);
      const download = () => run(['models', 'download', 'm1', '--out', 'downloads', '--mlmm-url', server.url, '--token', 't0k3n']);

      server.seedModel({ name: 'm1', engine: 'ONNX', bytes: new TextEncoder().encode('<html><body>Sign in</body></html>') });
      const html = await download();
      expect(html.code).toBe(1);
      expect(html.stdout).toBe('');
      expect(html.stderr).toMatch(/^error: model "m1" from .* \(33 bytes, nothing written\): Not a model Devo's mlevalmodel can run/m);
      expect(html.stderr).toContain('register a valid model with `dga register --force`');

      server.seedModel({ name: 'm1', engine: 'ONNX', bytes: readFileSync(join(cwd, 'sigmoid.onnx')) });
      const sigmoid = await download();
      expect(sigmoid.code).toBe(1);
      expect(sigmoid.stderr).toMatch(/Not a DGA classifier: its output "output" is \[N, 1\]/);
      expect(readFileSync(join(directory, 'm1.onnx'))).toEqual(existing);
      expect(readdirSync(directory)).toEqual(['m1.onnx']);

      const valid = readFileSync(join(cwd, 'other.onnx'));
      expect(valid).not.toEqual(existing);
      server.seedModel({ name: 'm1', engine: 'ONNX', bytes: valid });
      // A valid model that differs from the existing file replaces it only with --force.
      const kept = await download();
      expect(kept.code).toBe(1);
      expect(kept.stderr).toContain('m1.onnx exists and differs from model "m1" in the Model Manager; nothing was written');
      expect(readFileSync(join(directory, 'm1.onnx'))).toEqual(existing);
      const ok = await run(['models', 'download', 'm1', '--out', 'downloads', '--force', '--mlmm-url', server.url, '--token', 't0k3n']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(readFileSync(join(directory, 'm1.onnx'))).toEqual(valid);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('refuses an --out that is a file, and a model name no URL can address, as usage errors, leaving the file alone', async () => {
    const server = await startFakeMlmmServer({ tokens: ['t0k3n'] });
    try {
      server.seedModel({ name: 'm2', engine: 'ONNX', bytes: readFileSync(join(cwd, 'good.onnx')) });
      writeFileSync(join(cwd, 'not-a-folder'), 'keep');
      const connection = ['--mlmm-url', server.url, '--token', 't0k3n'];
      const file = await run(['models', 'download', 'm2', '--out', 'not-a-folder', ...connection]);
      expect(file.code).toBe(2);
      expect(file.stderr).toBe('error: --out not-a-folder is a file, not the folder to write m2.onnx into (pass a folder; a missing one is created)\n');
      expect(readFileSync(join(cwd, 'not-a-folder'), 'utf8')).toBe('keep');
      for (const argv of [['models', 'download', '../m2', '--out', 'downloads'], ['models', 'get', '..'], ['register', '--model', 'good.onnx', '--name', 'a/../b']]) {
        const result = await run([...argv, ...connection]);
        expect(result.code, argv.join(' ')).toBe(2);
        expect(result.stderr).toMatch(/^error: Invalid name: '.*' — a name with "\." or "\.\." path segments cannot be addressed.* \(choose another model name\)\n$/);
      }
    } finally {
      await server.close();
    }
  }, 60_000);
});
