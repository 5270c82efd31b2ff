import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrainingStep } from './training-step';

/** Two softmax heads on one input, averaged: the shape of the char-average preset, small. */
function averagedHeads(): tf.LayersModel {
  const input = tf.input({ shape: [3] });
  const head = (name: string, seed: number): tf.SymbolicTensor =>
    tf.layers.dense({ name, units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(
      tf.layers.dense({ name: `${name}_hidden`, units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(input),
    ) as tf.SymbolicTensor;
  const output = tf.layers.average({ name: 'output' }).apply([head('left', 1), head('right', 3)]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

const x = Float32Array.from([0.5, -1, 2, 1, 1, 0, -2, 0.25, 0.75]);
const labels = Uint8Array.from([1, 0, 1]);

/** Each head's probabilities and the output's, from the model as it is. */
function probabilities(model: tf.LayersModel): { heads: number[][][]; output: number[][] } {
  const rows = tf.tensor2d(x, [3, 3]);
  const headsModel = tf.model({ inputs: model.inputs, outputs: ['left', 'right'].map((name) => model.getLayer(name).output as tf.SymbolicTensor) });
  const heads = (headsModel.predict(rows) as tf.Tensor[]).map((tensor) => tensor.arraySync() as number[][]);
  const output = (model.predict(rows) as tf.Tensor).arraySync() as number[][];
  rows.dispose();
  return { heads, output };
}

/** Mean cross-entropy of probability rows against `labels`. */
function crossEntropy(rows: number[][]): number {
  return -rows.reduce((sum, row, index) => sum + Math.log(row[labels[index]!]!), 0) / rows.length;
}

describe('createTrainingStep on a model averaging two softmax heads', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('minimizes the mean of the heads\' own cross-entropies, counts correct rows on the average, and moves both heads', () => {
    const model = averagedHeads();
    const before = probabilities(model);
    const result = createTrainingStep(model, 3, 7).run({ x, labels, count: 3 }, 0.01);
    const perHead = before.heads.map((head) => crossEntropy(head));
    expect(result.loss).toBeCloseTo((perHead[0]! + perHead[1]!) / 2, 5);
    // Not the cross-entropy of the averaged probabilities (a different loss on this batch).
    expect(Math.abs(result.loss - crossEntropy(before.output))).toBeGreaterThan(1e-3);
    expect(result.correct).toBe(before.output.filter((row, index) => (row[1]! > row[0]! ? 1 : 0) === labels[index]).length);
    const after = probabilities(model);
    expect(after.heads[0]![0]![1]).not.toBeCloseTo(before.heads[0]![0]![1]!, 6);
    expect(after.heads[1]![0]![1]).not.toBeCloseTo(before.heads[1]![0]![1]!, 6);
    model.dispose();
  });

  it('rejects an Average of layers that are not Dense heads', () => {
    const input = tf.input({ shape: [2] });
    const output = tf.layers.average().apply([tf.layers.activation({ activation: 'softmax' }).apply(input), tf.layers.activation({ activation: 'softmax' }).apply(input)] as tf.SymbolicTensor[]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    expect(() => createTrainingStep(model, 2, 7)).toThrow(/must end in a Dense softmax layer with a bias, or in an Average of such layers/);
    model.dispose();
  });
});
