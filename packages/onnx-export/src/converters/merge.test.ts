import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';

/** `merge` of bias-free Dense branches on one input of 2 values, one per kernel, in kernel order. */
function linearBranches(merge: tf.layers.Layer, kernels: number[][][]): tf.LayersModel {
  const input = tf.input({ shape: [2] });
  const branches = kernels.map((kernel) => {
    const dense = tf.layers.dense({ units: kernel[0]!.length, useBias: false });
    const output = dense.apply(input) as tf.SymbolicTensor;
    dense.setWeights([tf.tensor2d(kernel)]);
    return output;
  });
  return tf.model({ inputs: input, outputs: merge.apply(branches) as tf.SymbolicTensor });
}

/** The export of `model` and what ONNX Runtime outputs for `rows` (flat, 2 values a row). */
async function exportAndPredict(model: tf.LayersModel, rows: number[]): Promise<{ opTypes: readonly string[]; parity: { maxAbsDiff: number }; output: number[] }> {
  const { bytes, opTypes, parity } = await exportToOnnx(model);
  const classifier = await createOnnxClassifier(bytes);
  const output = await classifier.predict(Float32Array.from(rows));
  await classifier.dispose();
  return { opTypes, parity, output: Array.from(output) };
}

describe('Concatenate', () => {
  beforeAll(useCpuBackend);

  it('becomes Concat and joins two branches of one input in the layer\'s input order', async () => {
    // swap(x) = (x1, x0); sum(x) = x0 + x1.
    const model = linearBranches(tf.layers.concatenate({ name: 'joined' }), [[[0, 1], [1, 0]], [[1], [1]]]);
    const { opTypes, parity, output } = await exportAndPredict(model, [3, 4, 10, -1]);
    expect(opTypes).toEqual(['MatMul', 'MatMul', 'Concat']);
    expect(parity.maxAbsDiff).toBe(0);
    expect(output).toEqual([4, 3, 7, -1, 10, 9]);
  });

  it('matches tfjs with hidden layers on both branches', async () => {
    const input = tf.input({ shape: [5] });
    const a = tf.layers.dense({ units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input);
    const b = tf.layers.dense({ units: 3, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(input);
    const joined = tf.layers.concatenate({ axis: 1 }).apply([a, b] as tf.SymbolicTensor[]);
    const output = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(joined) as tf.SymbolicTensor;
    const { parity, outputSize } = await exportToOnnx(tf.model({ inputs: input, outputs: output }));
    expect(outputSize).toBe(2);
    expect(parity.maxAbsDiff).toBeLessThanOrEqual(1e-6);
  });
});

describe('Average', () => {
  beforeAll(useCpuBackend);

  it('becomes Mean and averages two heads element by element', async () => {
    // left(x) = (x0, x1); right(x) = (x0 + x1, 3 · x0).
    const model = linearBranches(tf.layers.average({ name: 'averaged' }), [[[1, 0], [0, 1]], [[1, 3], [1, 0]]]);
    const { opTypes, parity, output } = await exportAndPredict(model, [2, 4, -1, 5]);
    expect(opTypes).toEqual(['MatMul', 'MatMul', 'Mean']);
    expect(parity.maxAbsDiff).toBe(0);
    // Row 0: (2, 4) and (6, 6) → (4, 5). Row 1: (−1, 5) and (4, −3) → (1.5, 1).
    expect(output).toEqual([4, 5, 1.5, 1]);
  });

  it('matches tfjs on two softmax heads over different hidden layers', async () => {
    const input = tf.input({ shape: [5] });
    const head = (seed: number, units: number): tf.SymbolicTensor => {
      const hidden = tf.layers.dense({ units, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(input);
      return tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(hidden) as tf.SymbolicTensor;
    };
    const output = tf.layers.average().apply([head(1, 4), head(3, 6)]) as tf.SymbolicTensor;
    const { parity, outputSize } = await exportToOnnx(tf.model({ inputs: input, outputs: output }));
    expect(outputSize).toBe(2);
    expect(parity.maxAbsDiff).toBeLessThanOrEqual(1e-6);
  });

  it('rejects inputs of different shapes (tfjs broadcasts them; Mean here does not)', async () => {
    const input = tf.input({ shape: [3] });
    const one = tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor;
    const two = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.average({ name: 'broadcast' }).apply([one, two]) as tf.SymbolicTensor });
    await expect(exportToOnnx(model)).rejects.toMatchObject({ code: 'ERR_ONNX_UNSUPPORTED_LAYER', layerName: 'broadcast' });
    await expect(exportToOnnx(model)).rejects.toThrow(/uses inputs of shapes \[N, 1\], \[N, 2\].*Supported: two or more inputs of one shape/);
  });
});
