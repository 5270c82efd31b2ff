import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';

async function run(model: tf.LayersModel, rows: number[]): Promise<number[]> {
  const classifier = await createOnnxClassifier((await exportToOnnx(model)).bytes);
  try {
    return Array.from(await classifier.predict(new Float32Array(rows)));
  } finally {
    await classifier.dispose();
  }
}

function fixedDense(config: { useBias?: boolean; activation?: 'relu' | 'linear' }): tf.Sequential {
  const model = tf.sequential();
  const layer = tf.layers.dense({ units: 2, inputShape: [2], ...config });
  model.add(layer);
  // kernel is [in, out]: out0 = 1*x0 + 3*x1, out1 = 2*x0 + 4*x1.
  const kernel = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  layer.setWeights(config.useBias === false ? [kernel] : [kernel, tf.tensor1d([0.5, -20])]);
  return model;
}

describe('Dense', () => {
  beforeAll(useCpuBackend);

  it('computes x · kernel + bias (hand-computed)', async () => {
    expect(await run(fixedDense({}), [1, 1, 2, -1])).toEqual([4.5, -14, -0.5, -20]);
  });

  it('applies its activation after the bias', async () => {
    expect(await run(fixedDense({ activation: 'relu' }), [1, 1, 2, -1])).toEqual([4.5, 0, 0, 0]);
  });

  it('omits the Add when useBias is false', async () => {
    const { opTypes } = await exportToOnnx(fixedDense({ useBias: false }));
    expect(opTypes).toEqual(['MatMul']);
    expect(await run(fixedDense({ useBias: false }), [1, 1])).toEqual([4, 6]);
  });

  it('is MatMul + Add + activation', async () => {
    const model = fixedDense({ activation: 'relu' });
    expect((await exportToOnnx(model)).opTypes).toEqual(['MatMul', 'Add', 'Relu']);
  });
});
