import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CharacterWindows } from '@dga/model';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultShapedModel, maxAbsDiff, predictTfjs, tutorialRows, tutorialShapedModel, useCpuBackend } from '../test/models';
import { compareOutputs, exportToOnnx } from './export-to-onnx';
import { onnx } from './internal/onnx-proto';
import { createOnnxClassifier } from './onnx-classifier';
import { OnnxExportError, OnnxParityError } from './onnx-export-error';
import { readOnnxModelInfo } from './read-onnx-model-info';
import { writeOnnxFile } from './write-onnx-file';

const tutorialMetadata = {
  'dga.label_names': '["legit","dga"]',
  'dga.feature_names': '["length","entropy","vowel_proportion"]',
  'dga.feature_set': 'tutorial',
  'dga.feature_set_version': '1',
  'dga.seed': '42',
};

// sha256 of the fixed-weight model's export; update only for an intended change of the encoding.
const GOLDEN_SHA256 = '42371b292725a9fb1b939b9541bc6fcdbec6652e4b1f7544e6b4464bff02658a';

let folder: string;
beforeAll(useCpuBackend);
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'onnx-export-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The usual caller flow: export, then write. A failed export must leave the folder empty. */
async function exportAndWrite(model: tf.LayersModel): Promise<unknown> {
  try {
    const { bytes } = await exportToOnnx(model);
    await writeOnnxFile(join(folder, 'model.onnx'), bytes);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('exportToOnnx', () => {
  it('exports the tutorial-shaped model with parity on caller rows, zeros and extremes', async () => {
    const model = tutorialShapedModel(42);
    const parityInputs = tutorialRows(500);
    const result = await exportToOnnx(model, { metadata: tutorialMetadata, parityInputs });
    expect(result.opTypes).toEqual([
      ...['MatMul', 'Add', 'Relu', 'Mul', 'Add'],
      ...['MatMul', 'Add', 'Relu', 'Mul', 'Add'],
      ...['MatMul', 'Add', 'Relu'],
      ...['MatMul', 'Add', 'Softmax'],
    ]);
    // 500 caller rows + the zero row, per-column extremes, the all-extreme row, the long-label
    // row and 256 random rows.
    expect(result.parity.rows).toBeGreaterThan(500 + 256);
    expect(result.parity.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(result.parity.maxScaledDiff).toBe(result.parity.maxAbsDiff); // softmax outputs are in [0, 1]

    const classifier = await createOnnxClassifier(result.bytes);
    const onnxOutput = await classifier.predict(parityInputs);
    await classifier.dispose();
    expect(maxAbsDiff(onnxOutput, predictTfjs(model, parityInputs, 3))).toBeLessThanOrEqual(1e-5);
  });

  it('exports the default-shaped model (42 features, 128-64-32) within 1e-5', async () => {
    const model = defaultShapedModel(7);
    const { parity, opTypes } = await exportToOnnx(model);
    expect(opTypes.filter((op) => op === 'MatMul')).toHaveLength(4);
    expect(parity.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it('gives byte-identical output for the same model and for two identically seeded models', async () => {
    const first = await exportToOnnx(tutorialShapedModel(3), { metadata: tutorialMetadata });
    const again = await exportToOnnx(tutorialShapedModel(3), { metadata: tutorialMetadata });
    // The second model's tfjs layer names differ (dense_Dense5 vs dense_Dense1); the bytes must not.
    expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    const other = await exportToOnnx(tutorialShapedModel(4), { metadata: tutorialMetadata });
    expect(Buffer.from(other.bytes).equals(Buffer.from(first.bytes))).toBe(false);
    // The bytes own their buffer (not a view into Node's Buffer pool).
    expect(first.bytes.byteOffset).toBe(0);
    expect(first.bytes.buffer.byteLength).toBe(first.bytes.length);
  });

  it('gives the recorded bytes for a fixed-weight model (stable across processes and runs)', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 2, activation: 'relu', inputShape: [3] }));
    model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    model.setWeights([
      tf.tensor2d([0.5, -1, 0.25, 2, -0.75, 1.5], [3, 2]),
      tf.tensor1d([0.1, -0.1]),
      tf.tensor2d([1, -1, -2, 2], [2, 2]),
      tf.tensor1d([0, 0.5]),
    ]);
    const { bytes } = await exportToOnnx(model, { metadata: { 'dga.seed': '42' }, producerVersion: '0.1.0' });
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(GOLDEN_SHA256);
  });

  it('writes metadata sorted by key, plus producer name and version', async () => {
    const { bytes } = await exportToOnnx(tutorialShapedModel(), {
      metadata: { 'z.last': 'z', 'a.first': 'a', ...tutorialMetadata },
      producerName: '@dga/trainer',
      producerVersion: '1.2.3',
    });
    const decoded = onnx.ModelProto.decode(bytes);
    const keys = decoded.metadataProps.map((entry) => entry.key);
    expect(keys).toEqual([...keys].sort());
    expect(keys[0]).toBe('a.first');
    expect(decoded.producerName).toBe('@dga/trainer');
    expect(decoded.producerVersion).toBe('1.2.3');
    expect(readOnnxModelInfo(bytes).metadata['dga.label_names']).toBe('["legit","dga"]');
  });

  it('writes IR version 7, opset 13 and one float input/output with a symbolic batch dimension', async () => {
    const decoded = onnx.ModelProto.decode((await exportToOnnx(tutorialShapedModel())).bytes);
    expect(Number(decoded.irVersion)).toBe(7);
    expect(decoded.opsetImport.map((entry) => [entry.domain, Number(entry.version)])).toEqual([['', 13]]);
    const input = decoded.graph?.input?.[0]?.type?.tensorType;
    expect(input?.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(input?.shape?.dim?.map((dim) => dim.dimParam || Number(dim.dimValue))).toEqual(['N', 3]);
    const output = decoded.graph?.output?.[0]?.type?.tensorType;
    expect(output?.shape?.dim?.map((dim) => dim.dimParam || Number(dim.dimValue))).toEqual(['N', 2]);
  });

  it('names nodes and initializers after layer positions, ending in the graph output', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 2, activation: 'relu', inputShape: [3] }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.dropout({ rate: 0.5 }));
    model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    const graph = onnx.ModelProto.decode((await exportToOnnx(model)).bytes).graph;
    expect(graph?.node?.map((node) => [node.opType, node.name, node.input, node.output])).toEqual([
      ['MatMul', 'dense_0/MatMul', ['input', 'dense_0/kernel'], ['dense_0/MatMul']],
      ['Add', 'dense_0/BiasAdd', ['dense_0/MatMul', 'dense_0/bias'], ['dense_0/BiasAdd']],
      ['Relu', 'dense_0/relu', ['dense_0/BiasAdd'], ['dense_0/relu']],
      ['Mul', 'batch_normalization_1/Mul', ['dense_0/relu', 'batch_normalization_1/multiplier'], ['batch_normalization_1/Mul']],
      ['Add', 'batch_normalization_1/Add', ['batch_normalization_1/Mul', 'batch_normalization_1/shift'], ['batch_normalization_1/Add']],
      ['MatMul', 'dense_3/MatMul', ['batch_normalization_1/Add', 'dense_3/kernel'], ['dense_3/MatMul']],
      ['Add', 'dense_3/BiasAdd', ['dense_3/MatMul', 'dense_3/bias'], ['dense_3/BiasAdd']],
      ['Softmax', 'dense_3/softmax', ['dense_3/BiasAdd'], ['output']],
    ]);
    expect(graph?.initializer?.map((tensor) => [tensor.name, tensor.dims?.map(Number)])).toEqual([
      ['dense_0/kernel', [3, 2]],
      ['dense_0/bias', [2]],
      ['batch_normalization_1/multiplier', [2]],
      ['batch_normalization_1/shift', [2]],
      ['dense_3/kernel', [2, 2]],
      ['dense_3/bias', [2]],
    ]);
  });

  it('exports a functional chain (with its InputLayer) to the same bytes as the Sequential twin', async () => {
    const sequential = tutorialShapedModel(8);
    const input = tf.input({ shape: [3] });
    let tensor: tf.SymbolicTensor = input;
    for (const layer of sequential.layers) {
      const twin = tf.layers[layerFactory(layer.getClassName())](layer.getConfig() as never) as tf.layers.Layer;
      tensor = twin.apply(tensor) as tf.SymbolicTensor;
      twin.setWeights(layer.getWeights());
    }
    const functional = tf.model({ inputs: input, outputs: tensor });
    expect(functional.layers[0]?.getClassName()).toBe('InputLayer');
    const [left, right] = await Promise.all([exportToOnnx(sequential), exportToOnnx(functional)]);
    expect(Buffer.from(right.bytes).equals(Buffer.from(left.bytes))).toBe(true);
  });

  it('rejects feature names that do not match the input width', async () => {
    const error = await exportToOnnx(tutorialShapedModel(), {
      metadata: { 'dga.feature_names': '["length","entropy"]' },
    }).catch((caught: unknown) => caught);
    expect(OnnxExportError.isInstance(error) && error.code).toBe('ERR_ONNX_INVALID_OPTION');
    expect((error as Error).message).toContain('3 strings');
  });

  it('rejects parityInputs that are not whole rows', async () => {
    const error = await exportToOnnx(tutorialShapedModel(), { parityInputs: new Float32Array(4) }).catch((caught: unknown) => caught);
    expect(OnnxExportError.isInstance(error) && error.code).toBe('ERR_ONNX_INVALID_OPTION');
  });

  it('skips the parity check only when asked', async () => {
    const { parity } = await exportToOnnx(tutorialShapedModel(), { verifyParity: false });
    expect(parity.rows).toBe(0);
  });
});

describe('exportToOnnx on models it cannot export (and nothing gets written)', () => {
  it('an unsupported layer: ERR_ONNX_UNSUPPORTED_LAYER naming the layer, its class and the supported list', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 4, inputShape: [3] }));
    model.add(tf.layers.layerNormalization({ name: 'my_norm' }));
    const error = await exportAndWrite(model);
    expect(OnnxExportError.isInstance(error)).toBe(true);
    const typed = error as OnnxExportError;
    expect(typed.code).toBe('ERR_ONNX_UNSUPPORTED_LAYER');
    expect(typed.layerName).toBe('my_norm');
    expect(typed.layerClassName).toBe('LayerNormalization');
    expect(typed.message).toContain('"my_norm" (LayerNormalization)');
    expect(typed.message).toContain('BatchNormalization, CharacterWindows, Concatenate, Dense, DropColumns, Dropout');
    expect(await readdir(folder)).toEqual([]);
  });

  it('a multi-input model: ERR_ONNX_UNSUPPORTED_MODEL', async () => {
    const left = tf.input({ shape: [3] });
    const right = tf.input({ shape: [3] });
    const merged = tf.layers.concatenate().apply([left, right]) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 2 }).apply(merged) as tf.SymbolicTensor;
    const error = await exportAndWrite(tf.model({ inputs: [left, right], outputs: output }));
    expect(OnnxExportError.isInstance(error) && error.code).toBe('ERR_ONNX_UNSUPPORTED_MODEL');
    expect((error as Error).message).toContain('2 inputs');
    expect(await readdir(folder)).toEqual([]);
  });

  it('branches joined by a layer without a converter: ERR_ONNX_UNSUPPORTED_LAYER naming it', async () => {
    const input = tf.input({ shape: [3] });
    const a = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const output = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
    const error = await exportAndWrite(tf.model({ inputs: input, outputs: output }));
    expect(error).toMatchObject({ code: 'ERR_ONNX_UNSUPPORTED_LAYER', layerName: 'sum' });
    expect(await readdir(folder)).toEqual([]);
  });

  it('a layer applied twice (shared weights): ERR_ONNX_UNSUPPORTED_MODEL naming it', async () => {
    const input = tf.input({ shape: [3] });
    const shared = tf.layers.dense({ units: 3, name: 'shared' });
    const twice = shared.apply(shared.apply(input)) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 2 }).apply(twice) as tf.SymbolicTensor;
    const error = await exportAndWrite(tf.model({ inputs: input, outputs: output }));
    expect(error).toMatchObject({ code: 'ERR_ONNX_UNSUPPORTED_MODEL', layerName: 'shared' });
    expect((error as Error).message).toContain('applied 2 times');
  });

  it('a 3-D output: ERR_ONNX_UNSUPPORTED_MODEL (mlevalmodel needs one row per input row)', async () => {
    const input = tf.input({ shape: [6] });
    const windows = new CharacterWindows({ offset: 0, positions: 6, alphabetSize: 3, window: 2 }).apply(input) as tf.SymbolicTensor;
    const error = await exportAndWrite(tf.model({ inputs: input, outputs: windows }));
    expect(error).toMatchObject({ code: 'ERR_ONNX_UNSUPPORTED_MODEL' });
    expect((error as Error).message).toContain('[N, 5, 6]');
  });

  it('an unbuilt (empty) model: ERR_ONNX_MODEL_NOT_BUILT', async () => {
    const error = await exportAndWrite(tf.sequential());
    expect(OnnxExportError.isInstance(error) && error.code).toBe('ERR_ONNX_MODEL_NOT_BUILT');
    expect(await readdir(folder)).toEqual([]);
  });

  it('NaN weights: ERR_ONNX_INVALID_WEIGHTS naming the layer and the weight', async () => {
    const model = tutorialShapedModel();
    const layer = model.layers[3];
    if (layer === undefined) throw new Error('model too short');
    const [kernel, bias] = layer.getWeights();
    const values = Float32Array.from(kernel?.dataSync() ?? []);
    values[5] = Number.NaN;
    layer.setWeights([tf.tensor(values, kernel?.shape), bias as tf.Tensor]);
    const error = await exportAndWrite(model);
    expect(OnnxExportError.isInstance(error) && error.code).toBe('ERR_ONNX_INVALID_WEIGHTS');
    expect((error as OnnxExportError).layerName).toBe(layer.name);
    expect((error as Error).message).toContain('"kernel" holds NaN at flat index 5');
    expect(await readdir(folder)).toEqual([]);
  });

  it('a converter bug caught by parity: ERR_ONNX_PARITY, nothing written', async () => {
    const model = tutorialShapedModel();
    const dense = model.layers[0];
    if (dense === undefined) throw new Error('model too short');
    // Fault injection: the converter reads a perturbed kernel while tfjs predicts with the real one.
    const real = dense.getWeights();
    vi.spyOn(dense, 'getWeights').mockReturnValue(real.map((tensor, index) => (index === 0 ? tensor.mul(1.001) : tensor)));
    const error = await exportAndWrite(model);
    expect(OnnxExportError.isInstance(error) && error.code).toBe('ERR_ONNX_PARITY');
    expect(await readdir(folder)).toEqual([]);
  });

  it('a parity error on a wide row shows its first features in one readable line and keeps the whole row in parity.input', async () => {
    const model = defaultShapedModel(42, 203);
    const dense = model.layers[0];
    if (dense === undefined) throw new Error('model too short');
    const real = dense.getWeights();
    vi.spyOn(dense, 'getWeights').mockReturnValue(real.map((tensor, index) => (index === 0 ? tensor.mul(1.01) : tensor)));
    const error = await exportAndWrite(model);
    expect(OnnxParityError.isInstance(error)).toBe(true);
    const { message, parity } = error as OnnxParityError;
    expect(parity.input).toHaveLength(203);
    expect(message).toMatch(/on parity row \d+ \[(-?[\d.e-]+, ){8}… \(203 features\)\], output \d: tfjs /);
    expect(message.length).toBeLessThan(700);
    expect(message).not.toContain('\n');
  });
});

function layerFactory(className: string): 'dense' | 'batchNormalization' | 'dropout' {
  if (className === 'Dense') return 'dense';
  if (className === 'BatchNormalization') return 'batchNormalization';
  return 'dropout';
}

describe('compareOutputs', () => {
  it('is absolute within [-1, 1] and relative beyond; a one-sided NaN is an infinite difference', () => {
    expect(compareOutputs(new Float32Array([0.5]), new Float32Array([0.50001])).maxScaledDiff).toBeCloseTo(1e-5, 7);
    const large = compareOutputs(new Float32Array([200]), new Float32Array([200.002]));
    expect(large.maxAbsDiff).toBeCloseTo(0.002, 4);
    expect(large.maxScaledDiff).toBeCloseTo(1e-5, 6);
    expect(compareOutputs(new Float32Array([1]), new Float32Array([Number.NaN])).maxScaledDiff).toBe(Number.POSITIVE_INFINITY);
    expect(compareOutputs(new Float32Array([Number.NaN]), new Float32Array([Number.NaN])).maxScaledDiff).toBe(0);
  });
});
