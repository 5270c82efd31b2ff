import { describe, expect, it } from 'vitest';
import { getFeatureSet } from '@dga/features';
import { onnx } from './internal/onnx-proto';
import { checkModelContract, createModelMetadata, MODEL_LABEL_NAMES, readModelContract } from './model-contract';
import { createOnnxClassifier } from './onnx-classifier';
import { OnnxExportError } from './onnx-export-error';
import { readOnnxModelInfo } from './read-onnx-model-info';

const tutorialMetadata = createModelMetadata({ featureSet: 'tutorial', seed: 7, preset: 'tutorial', tfjsBackend: 'cpu' });

/**
 * A hand-built `Log(x · W)` model with `W` filled with `weight`, independent of the exporter:
 * a negative weight makes every score NaN (the log of a negative number).
 */
function logModel(options: { inputs?: number; outputs?: number; weight?: number; metadata?: Record<string, string> } = {}): Uint8Array {
  const inputs = options.inputs ?? 3;
  const outputs = options.outputs ?? 2;
  const weights = new Float32Array(inputs * outputs).fill(options.weight ?? 1);
  const matrix = (name: string, width: number) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'hand',
    graph: {
      name: 'g',
      node: [
        { opType: 'MatMul', input: ['x', 'w'], output: ['m'] },
        { opType: 'Log', input: ['m'], output: ['y'] },
      ],
      initializer: [{ name: 'w', dims: [inputs, outputs], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(weights.buffer) }],
      input: [matrix('x', inputs)],
      output: [matrix('y', outputs)],
    },
    metadataProps: Object.entries(options.metadata ?? tutorialMetadata).map(([key, value]) => ({ key, value })),
  }).finish();
}

function contractFailure(bytes: Uint8Array): string {
  try {
    readModelContract(bytes);
  } catch (error) {
    if (OnnxExportError.isInstance(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected the model contract to be refused');
}

describe('createModelMetadata', () => {
  it('records the feature set, its names and LINQ in input order, the labels, seed, preset and backend', () => {
    const set = getFeatureSet('extended');
    const metadata = createModelMetadata({ featureSet: 'extended', seed: 42, preset: 'default', tfjsBackend: 'wasm' });
    expect(metadata).toEqual({
      'dga.feature_set': 'extended',
      'dga.feature_set_version': String(set.version),
      'dga.feature_names': JSON.stringify(set.featureNames),
      'dga.feature_linq': JSON.stringify(set.features.map((feature) => feature.linq('label'))),
      'dga.label_names': '["legit","dga"]',
      'dga.seed': '42',
      'dga.preset': 'default',
      'dga.tfjs_backend': 'wasm',
      'dga.psl_mode': 'all',
    });
    expect(createModelMetadata({ featureSet: 'extended', seed: 42, preset: 'default', tfjsBackend: 'wasm', pslMode: 'icann' })['dga.psl_mode']).toBe('icann');
  });

  it('records the string columns the ngram twins read, and none for the other sets', () => {
    const metadata = createModelMetadata({ featureSet: 'ngram', seed: 42, preset: 'ngram', tfjsBackend: 'wasm' });
    const constants = JSON.parse(metadata['dga.feature_linq_constants'] ?? '{}') as Record<string, string>;
    expect(Object.keys(constants)).toEqual(['english_pair_share_table', 'rare_pair_share_table']);
    expect(constants['english_pair_share_table']).toMatch(/^in\|er\|es\|/);
    expect((JSON.parse(metadata['dga.feature_linq'] as string) as string[]).at(-1)).toContain('rare_pair_share_table -> substring(label, 0, ');
    expect(createModelMetadata({ featureSet: 'bigram', seed: 42, preset: 'default', tfjsBackend: 'wasm' })).not.toHaveProperty('dga.feature_linq_constants');
  });

  it('records the char set once: its alphabet column, read by every character code twin', () => {
    const metadata = createModelMetadata({ featureSet: 'char', seed: 42, preset: 'char', tfjsBackend: 'wasm' });
    expect(JSON.parse(metadata['dga.feature_linq_constants'] ?? '{}')).toEqual({ char_alphabet: 'abcdefghijklmnopqrstuvwxyz0123456789-' });
    const linq = JSON.parse(metadata['dga.feature_linq'] as string) as string[];
    expect(linq).toHaveLength(266);
    expect(linq.at(-1)).toContain('locate(char_alphabet, substring(label, ifthenelse(length(label) > 23, 23, 0), 1))');
  });

  it('refuses feature names that differ from the feature set', () => {
    expect(() =>
      createModelMetadata({ featureSet: 'tutorial', featureNames: ['entropy', 'length', 'vowel_proportion'], seed: 1, preset: 'p', tfjsBackend: 'cpu' }),
    ).toThrow(/position 0 is "entropy", not "length"/);
  });
});

describe('readModelContract', () => {
  it('reads back what createModelMetadata wrote, with no warning', () => {
    const contract = readModelContract(logModel());
    expect(contract).toMatchObject({
      featureSet: 'tutorial',
      featureNames: ['length', 'entropy', 'vowel_proportion'],
      labelNames: MODEL_LABEL_NAMES,
      seed: 7,
      preset: 'tutorial',
      tfjsBackend: 'cpu',
      pslMode: 'all',
      threshold: undefined,
      targetFpr: undefined,
      warnings: [],
    });
    expect(checkModelContract(readOnnxModelInfo(logModel())).featureSet).toBe('tutorial');
    expect(readModelContract(logModel({ metadata: { ...tutorialMetadata, 'dga.psl_mode': 'icann' } })).pslMode).toBe('icann');
  });

  it('reads back the threshold and the target false-positive rate it was chosen for', () => {
    // A float32 score, as thresholds chosen from model outputs are: it must come back exactly.
    const score = Math.fround(0.8734512);
    const metadata = createModelMetadata({ featureSet: 'tutorial', seed: 7, preset: 'tutorial', tfjsBackend: 'cpu', threshold: score, targetFpr: 0.01 });
    expect(metadata['dga.threshold']).toBe('0.8734511733055115');
    expect(metadata['dga.target_fpr']).toBe('0.01');
    expect(readModelContract(logModel({ metadata }))).toMatchObject({ threshold: score, targetFpr: 0.01 });
    expect(() => createModelMetadata({ featureSet: 'tutorial', seed: 7, preset: 'p', tfjsBackend: 'cpu', targetFpr: 1 })).toThrow(/targetFpr must be a number between 0 and 1 \(exclusive\), got 1/);
    expect(() => createModelMetadata({ featureSet: 'tutorial', seed: 7, preset: 'p', tfjsBackend: 'cpu', threshold: -0.1 })).toThrow(/threshold must be a number between 0 and 1, got -0.1/);
  });

  it.each([
    ['a single sigmoid-like output', { outputs: 1 }, /output "y" is \[N, 1\] \(a single score .*not \[N, 2\]/],
    ['three outputs', { outputs: 3 }, /output "y" is \[N, 3\] \(3 scores per row\), not \[N, 2\]/],
    ['an input wider than its feature set', { inputs: 5 }, /feature set "tutorial" \(3 features\) but its input "x" is \[N, 5\]/],
    ['no metadata', { metadata: {} }, /no dga\.feature_set metadata/],
    ['an unknown feature set', { metadata: { ...tutorialMetadata, 'dga.feature_set': 'trigram' } }, /feature set "trigram", which this version does not know \(known: tutorial, extended, bigram, ngram, char\)/],
    ['reordered feature names', { metadata: { ...tutorialMetadata, 'dga.feature_names': '["entropy","length","vowel_proportion"]' } }, /position 0 is "entropy", not "length"/],
    ['a threshold above 1', { metadata: { ...tutorialMetadata, 'dga.threshold': '1.5' } }, /dga\.threshold is "1\.5", not a number between 0 and 1/],
    ['a threshold that is not a number', { metadata: { ...tutorialMetadata, 'dga.threshold': 'high' } }, /dga\.threshold is "high", not a number between 0 and 1/],
    ['a target false-positive rate of 0', { metadata: { ...tutorialMetadata, 'dga.target_fpr': '0' } }, /dga\.target_fpr is "0", not a number between 0 and 1 \(exclusive\)/],
    ['swapped labels', { metadata: { ...tutorialMetadata, 'dga.label_names': '["dga","legit"]' } }, /label_names is \["dga","legit"\], not \["legit","dga"\]/],
    ['missing labels', { metadata: { ...tutorialMetadata, 'dga.label_names': 'legit,dga' } }, /label_names metadata is not a JSON array of strings/],
    ['an unknown PSL mode', { metadata: { ...tutorialMetadata, 'dga.psl_mode': 'private' } }, /dga\.psl_mode is "private", which this version does not know/],
  ])('refuses %s with ERR_ONNX_MODEL_CONTRACT naming the problem and the fix', (_name, options, pattern) => {
    const message = contractFailure(logModel(options));
    expect(message).toMatch(/^ERR_ONNX_MODEL_CONTRACT: /);
    expect(message).toMatch(pattern);
    if (!message.includes('does not know')) expect(message).toMatch(/\. The file was not written by this toolkit's ONNX exporter, or was written by an older version of it\.$/);
    expect(message).not.toMatch(/exportToOnnx|createModelMetadata/);
  });

  it('refuses bytes that are not an ONNX model with ERR_ONNX_INVALID_MODEL', () => {
    expect(contractFailure(new TextEncoder().encode('<html>Sign in</html>'))).toMatch(/^ERR_ONNX_INVALID_MODEL: /);
  });

  it('warns, without refusing, about an older feature set version', () => {
    const older = readModelContract(logModel({ metadata: { ...tutorialMetadata, 'dga.feature_set_version': '99' } }));
    expect(older.warnings[0]).toMatch(/version 99, this version computes version 1; scores may drift/);
  });
});

describe('createOnnxClassifier and non-finite scores', () => {
  it('throws ERR_ONNX_NON_FINITE_OUTPUT naming the model and the row instead of returning NaN', async () => {
    const classifier = await createOnnxClassifier(logModel({ weight: -1 }), { name: 'models/broken.onnx', intraOpNumThreads: 1 });
    try {
      const error = await classifier.predict(new Float32Array([6, 1.9, 0.5, 8, 2.5, 0.25])).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(OnnxExportError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'ERR_ONNX_NON_FINITE_OUTPUT', row: 0 });
      expect((error as Error).message).toMatch(/^models\/broken\.onnx scored row 0 as \[NaN, NaN\]: a non-finite score is no verdict/);
    } finally {
      await classifier.dispose();
    }
  });

  it('returns finite scores unchanged', async () => {
    const classifier = await createOnnxClassifier(logModel({ weight: 1 }), { intraOpNumThreads: 1 });
    try {
      const scores = await classifier.predict(new Float32Array([6, 1.5, 0.5]));
      expect(Array.from(scores)).toEqual([Math.fround(Math.log(8)), Math.fround(Math.log(8))]);
    } finally {
      await classifier.dispose();
    }
  });
});
