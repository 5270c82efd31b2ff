import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrainingStep, type HeadLoss } from './training-step';

/** Two softmax heads on one input, averaged: the shape of the char-average presets, small. */
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

/** Each head's probabilities and the output's, from the model before any step. */
function probabilities(model: tf.LayersModel): { heads: number[][][]; output: number[][] } {
  const rows = tf.tensor2d(x, [3, 3]);
  const headsModel = tf.model({ inputs: model.inputs, outputs: ['left', 'right'].map((name) => model.getLayer(name).output as tf.SymbolicTensor) });
  const heads = (headsModel.predict(rows) as tf.Tensor[]).map((tensor) => tensor.arraySync() as number[][]);
  const output = (model.predict(rows) as tf.Tensor).arraySync() as number[][];
  rows.dispose();
  return { heads, output };
}

describe('createTrainingStep on a model averaging two softmax heads', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases: [HeadLoss, (heads: number[][][], output: number[][]) => number][] = [
    // Cross-entropy of the averaged probabilities.
    ['average', (_heads, output) => -output.reduce((sum, row, index) => sum + Math.log(row[labels[index]!]!), 0) / output.length],
    // The mean of each head's cross-entropy.
    ['branches', (heads) => heads.reduce((sum, head) => sum - head.reduce((headSum, row, index) => headSum + Math.log(row[labels[index]!]!), 0) / head.length, 0) / heads.length],
  ];
  it.each(cases)('loss "%s" is the hand-computed one, and a step moves both heads', (headLoss, expected) => {
    const model = averagedHeads();
    const before = probabilities(model);
    const step = createTrainingStep(model, 3, 7, headLoss);
    const result = step.run({ x, labels, count: 3 }, 0.01);
    expect(result.loss).toBeCloseTo(expected(before.heads, before.output), 5);
    // Correct counts use the averaged probabilities.
    expect(result.correct).toBe(before.output.filter((row, index) => (row[1]! > row[0]! ? 1 : 0) === labels[index]).length);
    const after = probabilities(model);
    expect(after.heads[0]![0]![1]).not.toBeCloseTo(before.heads[0]![0]![1]!, 6);
    expect(after.heads[1]![0]![1]).not.toBeCloseTo(before.heads[1]![0]![1]!, 6);
    model.dispose();
  });

  it('the two losses differ on the same model and batch', () => {
    const losses = (['average', 'branches'] as const).map((headLoss) => {
      const model = averagedHeads();
      const { loss } = createTrainingStep(model, 3, 7, headLoss).run({ x, labels, count: 3 }, 0.01);
      model.dispose();
      return loss;
    });
    expect(losses[0]).not.toBeCloseTo(losses[1]!, 4);
  });
});
