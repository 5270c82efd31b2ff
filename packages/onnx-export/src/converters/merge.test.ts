import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';

describe('Concatenate', () => {
  beforeAll(useCpuBackend);

  it('becomes Concat and joins two branches of one input in the layer\'s input order', async () => {
    const input = tf.input({ shape: [2] });
    const left = tf.layers.dense({ units: 1, useBias: false, name: 'sum' });
    const right = tf.layers.dense({ units: 2, useBias: false, name: 'swap' });
    const joined = tf.layers.concatenate({ name: 'joined' }).apply([right.apply(input), left.apply(input)] as tf.SymbolicTensor[]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: joined });
    left.setWeights([tf.tensor2d([[1], [1]])]);
    right.setWeights([tf.tensor2d([[0, 1], [1, 0]])]);
    const { bytes, opTypes, parity } = await exportToOnnx(model);
    expect(opTypes).toEqual(['MatMul', 'MatMul', 'Concat']);
    expect(parity.maxAbsDiff).toBe(0);
    const classifier = await createOnnxClassifier(bytes);
    const output = await classifier.predict(Float32Array.from([3, 4, 10, -1]));
    await classifier.dispose();
    expect(Array.from(output)).toEqual([4, 3, 7, -1, 10, 9]);
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
