import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from './create-model';
import { evaluateModel, scoreExamples } from './evaluate-model';
import type { TrainingExample } from './train-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const examples: TrainingExample[] = Array.from({ length: 10 }, (_, index) => ({
  features: Float32Array.of(4 + index, 2 + index / 10, index / 20),
  label: (index % 2) as 0 | 1,
  subclass: index % 2 === 1 ? 'zeus' : 'legit',
  key: `k${index}`,
}));

describe('scoreExamples and evaluateModel', () => {
  it('scores in several batches exactly as one predict call over all rows', async () => {
    const model = createModel({ preset: 'default', featureSet: 'tutorial', seed: 11 });
    const all = new Float32Array(examples.flatMap((example) => Array.from(example.features)));
    const expected = (model.predict(tf.tensor2d(all, [10, 3])) as tf.Tensor).arraySync() as number[][];
    const scored = await scoreExamples(model, examples, { batchSize: 3 });
    expect(Array.from(scored.scores)).toEqual(expected.map((row) => Math.fround(row[1]!)));
    expect(Array.from(scored.labels)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(scored.families[1]).toBe('zeus');
    const metrics = await evaluateModel(model, examples, { batchSize: 4, threshold: 0.3 });
    expect(metrics.rows).toBe(10);
    expect(metrics.threshold).toBe(0.3);
    model.dispose();
  });

  it('scores a batch with one model call, not predict\'s 32-row slices (each a copy of the whole input on wasm)', async () => {
    const model = createModel({ preset: 'tutorial', featureSet: 'tutorial', seed: 5 });
    const many: TrainingExample[] = Array.from({ length: 200 }, (_, index) => ({ ...examples[index % 10]!, key: `m${index}` }));
    const all = new Float32Array(many.flatMap((example) => Array.from(example.features)));
    const expected = (model.predict(tf.tensor2d(all, [200, 3])) as tf.Tensor).dataSync();
    let scored: Awaited<ReturnType<typeof scoreExamples>> | undefined;
    const profile = await tf.profile(async () => {
      scored = await scoreExamples(model, many);
    });
    expect(profile.kernels.filter((kernel) => kernel.name === 'Slice')).toEqual([]);
    expect(Array.from(scored!.scores)).toEqual(Array.from({ length: 200 }, (_, row) => expected[row * 2 + 1]));
    model.dispose();
  });

  it('rejects examples whose width differs from the model input with ERR_MODEL_INVALID_EXAMPLE', async () => {
    const model = createModel({ preset: 'default', featureSet: 'extended' });
    await expect(scoreExamples(model, examples)).rejects.toMatchObject({ code: 'ERR_MODEL_INVALID_EXAMPLE' });
    model.dispose();
  });
});
