import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { identityThen, useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';
import { readOnnxModelInfo } from '../read-onnx-model-info';

describe('Dropout and noise layers', () => {
  beforeAll(useCpuBackend);

  it.each([
    ['Dropout', () => tf.layers.dropout({ rate: 0.5, seed: 1 })],
    ['AlphaDropout', () => tf.layers.alphaDropout({ rate: 0.5 })],
    ['GaussianDropout', () => tf.layers.gaussianDropout({ rate: 0.5 })],
    ['GaussianNoise', () => tf.layers.gaussianNoise({ stddev: 1 })],
  ])('%s disappears from the graph', async (_name, create) => {
    const model = identityThen(create(), 3);
    model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    const { opTypes, parity } = await exportToOnnx(model);
    expect(opTypes).toEqual(['MatMul', 'MatMul', 'Add', 'Softmax']);
    expect(parity.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it('a model of only Dropout becomes one Identity node', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dropout({ rate: 0.5, inputShape: [3] }));
    const { bytes, opTypes } = await exportToOnnx(model);
    expect(opTypes).toEqual(['Identity']);
    expect(readOnnxModelInfo(bytes).outputSize).toBe(3);
    const classifier = await createOnnxClassifier(bytes);
    expect(Array.from(await classifier.predict(new Float32Array([1, 2, 3])))).toEqual([1, 2, 3]);
    await classifier.dispose();
  });
});
