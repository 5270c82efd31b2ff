import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { identityThen, maxAbsDiff, useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';
import { OnnxExportError } from '../onnx-export-error';

const WIDTH = 3;
const rows = new Float32Array([-2, -0.5, 0, 0.5, 1, 1.5, 3, 7, -10]);

async function exportAndRun(layer: tf.layers.Layer): Promise<{ output: Float32Array; opTypes: string[] }> {
  const { bytes, opTypes } = await exportToOnnx(identityThen(layer, WIDTH));
  const classifier = await createOnnxClassifier(bytes);
  try {
    return { output: await classifier.predict(rows), opTypes };
  } finally {
    await classifier.dispose();
  }
}

describe('advanced activation layers', () => {
  beforeAll(useCpuBackend);

  it('LeakyReLU keeps tfjs default alpha 0.3 (ONNX would default to 0.01)', async () => {
    const { output, opTypes } = await exportAndRun(tf.layers.leakyReLU());
    expect(opTypes).toEqual(['MatMul', 'LeakyRelu']);
    expect(output[0]).toBeCloseTo(-0.6, 6); // -2 * 0.3, not -2 * 0.01
    expect(maxAbsDiff(output, Array.from(rows, (x) => (x >= 0 ? x : 0.3 * x)))).toBeLessThan(1e-6);
  });

  it('LeakyReLU honours a custom alpha', async () => {
    const { output } = await exportAndRun(tf.layers.leakyReLU({ alpha: 0.05 }));
    expect(maxAbsDiff(output, Array.from(rows, (x) => (x >= 0 ? x : 0.05 * x)))).toBeLessThan(1e-6);
  });

  it('ReLU without maxValue is Relu, with maxValue a Clip', async () => {
    expect((await exportAndRun(tf.layers.reLU())).opTypes).toEqual(['MatMul', 'Relu']);
    const capped = await exportAndRun(tf.layers.reLU({ maxValue: 1.25 }));
    expect(capped.opTypes).toEqual(['MatMul', 'Clip']);
    expect(maxAbsDiff(capped.output, Array.from(rows, (x) => Math.min(Math.max(x, 0), 1.25)))).toBeLessThan(1e-7);
  });

  it('ELU is exp(x) - 1 below zero', async () => {
    const { output } = await exportAndRun(tf.layers.elu());
    expect(maxAbsDiff(output, Array.from(rows, (x) => (x > 0 ? x : Math.expm1(x))))).toBeLessThan(1e-6);
  });

  it('ThresholdedReLU zeroes values up to theta', async () => {
    const { output } = await exportAndRun(tf.layers.thresholdedReLU({ theta: 0.75 }));
    expect(Array.from(output)).toEqual(Array.from(rows, (x) => (x > 0.75 ? x : 0)));
  });

  it('Softmax normalizes along the last axis', async () => {
    const { output, opTypes } = await exportAndRun(tf.layers.softmax());
    expect(opTypes).toEqual(['MatMul', 'Softmax']);
    const expected = [0, 3, 6].flatMap((start) => {
      const row = Array.from(rows.subarray(start, start + WIDTH));
      const exps = row.map((x) => Math.exp(x - Math.max(...row)));
      const sum = exps.reduce((total, x) => total + x, 0);
      return exps.map((x) => x / sum);
    });
    expect(maxAbsDiff(output, expected)).toBeLessThan(1e-7);
  });

  it('PReLU uses one learned slope per feature', async () => {
    const layer = tf.layers.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.2 }) });
    const model = identityThen(layer, WIDTH);
    layer.setWeights([tf.tensor1d([0.1, 0.2, 0.3])]);
    const { bytes } = await exportToOnnx(model);
    const classifier = await createOnnxClassifier(bytes);
    const output = await classifier.predict(rows);
    await classifier.dispose();
    const slopes = [0.1, 0.2, 0.3];
    expect(maxAbsDiff(output, Array.from(rows, (x, index) => (x >= 0 ? x : (slopes[index % 3] ?? 0) * x)))).toBeLessThan(1e-6);
  });

  it('rejects a Softmax over a non-last axis as an unsupported option', async () => {
    const error = await exportToOnnx(identityThen(tf.layers.softmax({ axis: 0 }), WIDTH)).catch((caught: unknown) => caught);
    expect(OnnxExportError.isInstance(error) && error.code).toBe('ERR_ONNX_UNSUPPORTED_LAYER');
    expect((error as Error).message).toMatch(/Softmax.*axis=0/);
  });
});
