import * as tf from '@tensorflow/tfjs';
import { readDataset } from '@dga/dataset';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics } from './compute-metrics';
import { ModelAbortError, ModelError } from './errors';
import { createSplitter } from './internal/split';
import { deriveSeed } from './internal/rng';
import { streamTrainingExamples } from './stream-training-examples';
import { trainModel, type TrainingExample } from './train-model';
import { getPreset } from './presets';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A separable synthetic problem on the 3 tutorial features: DGA rows are long and high-entropy. */
function syntheticExamples(count: number): TrainingExample[] {
  return Array.from({ length: count }, (_, index) => {
    const label = (index % 2) as 0 | 1;
    const jitter = ((index * 7919) % 101) / 101;
    const features = label === 1 ? Float32Array.of(18 + 6 * jitter, 3.6 + jitter * 0.4, 0.15 + jitter * 0.1) : Float32Array.of(7 + 4 * jitter, 2.5 + jitter * 0.4, 0.4 + jitter * 0.1);
    return { features, label, subclass: label === 1 ? 'synthetic' : 'legit', key: `row${index}` };
  });
}

const sampleSkip = requireSharedData('sample-small.csv');

describe('trainModel', () => {
  it('gives the same weights and metrics for the same seed (tutorial preset, dropout and BN on)', async () => {
    const examples = syntheticExamples(300);
    const run = async (seed: number): Promise<{ weights: Float32Array[]; f1: number; loss: number }> => {
      const result = await trainModel({ preset: 'tutorial', featureSet: 'tutorial', examples: () => examples, seed, epochs: 2 });
      const weights = result.model.getWeights().map((tensor) => Float32Array.from(tensor.dataSync()));
      result.model.dispose();
      return { weights, f1: computeMetrics(result.test).f1, loss: result.history[1]!.loss };
    };
    const first = await run(42);
    const second = await run(42);
    expect(second.weights).toEqual(first.weights);
    expect(second.f1).toBe(first.f1);
    expect(second.loss).toBe(first.loss);
    const other = await run(7);
    expect(other.weights[0]).not.toEqual(first.weights[0]);
  }, 120_000);

  it('never trains on the test split: test rows are exactly those the seeded splitter assigns to test', async () => {
    const examples = syntheticExamples(400);
    const result = await trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => examples, epochs: 1 });
    const splitter = createSplitter(deriveSeed(42, 'split'), 0.2, 0.1);
    const expected = { train: 0, validation: 0, test: 0 };
    for (const example of examples) expected[splitter.assign(example)] += 1;
    expect(result.split.test.legit + result.split.test.dga).toBe(expected.test);
    expect(result.split.validation.legit + result.split.validation.dga).toBe(expected.validation);
    expect(result.split.train.legit + result.split.train.dga).toBe(expected.train);
    expect(result.test.scores.length).toBe(expected.test);
    expect(result.dataFingerprint.rows).toBe(400);
    result.model.dispose();
  }, 120_000);

  it('tests on exactly the given testKeys when a fixed test split is passed', async () => {
    const examples = syntheticExamples(400);
    const testKeys = new Set(examples.filter((_, index) => index % 4 === 1 || index % 10 === 0).map((example) => example.key));
    const result = await trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => examples, epochs: 1, testKeys });
    const expectedTest = examples.filter((example) => testKeys.has(example.key));
    expect(result.test.scores.length).toBe(testKeys.size);
    expect(Array.from(result.test.labels)).toEqual(expectedTest.map((example) => example.label));
    expect(result.split.test.legit + result.split.test.dga).toBe(testKeys.size);
    expect(result.split.validation.legit + result.split.validation.dga).toBeGreaterThan(0);
    result.model.dispose();
  }, 120_000);

  it('says so when no testKey matches an example key', async () => {
    const examples = syntheticExamples(100);
    await expect(trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => examples, epochs: 1, testKeys: new Set(['example.com', 'Row1']) })).rejects.toThrow(
      'none of the 2 testKeys is the key of an example (100 examples)',
    );
  }, 120_000);

  it('streams every epoch when the rows exceed cacheBytes, with the same split and a working model', async () => {
    const examples = syntheticExamples(800);
    let calls = 0;
    const result = await trainModel({
      preset: 'default',
      featureSet: 'tutorial',
      examples: () => {
        calls += 1;
        return examples;
      },
      epochs: 3,
      batchSize: 32,
      patience: null,
      cacheBytes: 0,
      shuffleBufferRows: 64,
    });
    expect(result.dataMode).toBe('stream');
    // scan + 3 × (train + validation) + final validation + test
    expect(calls).toBe(1 + 3 * 2 + 2);
    expect(computeMetrics(result.test).rocAuc).toBeGreaterThan(0.95);
    result.model.dispose();
  }, 120_000);

  it('keeps the epoch with the best validation ROC AUC for the default preset and logs valAuc per epoch', async () => {
    const examples = syntheticExamples(600).map((example, index) => {
      // Overlapping classes so AUC moves between epochs.
      const noise = (((index * 2654435761) >>> 0) % 1000) / 1000;
      return { ...example, features: Float32Array.of(example.features[0]! + 12 * noise, example.features[1]!, example.features[2]!) };
    });
    const result = await trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => examples, epochs: 4, batchSize: 16, patience: 10 });
    const aucs = result.history.map((epoch) => epoch.valAuc!);
    expect(aucs.every((auc) => auc > 0 && auc <= 1)).toBe(true);
    expect(result.bestEpoch).toBe(aucs.indexOf(Math.max(...aucs)) + 1);
    // The kept weights are that epoch's: the final validation scores give its AUC.
    expect(computeMetrics(result.validation).rocAuc).toBeCloseTo(aucs[result.bestEpoch - 1]!, 5);
    result.model.dispose();
  }, 120_000);

  it('takes the preset\'s epochs for the feature set: the default preset trains narrow inputs longer', async () => {
    const result = await trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => syntheticExamples(120), patience: null });
    expect(result.epochs).toBe(12);
    expect(result.history).toHaveLength(12);
    expect(getPreset('default').epochsByFeatureSet).toEqual({ extended: 10, tutorial: 12 });
    expect(getPreset('default').epochs).toBe(6);
    result.model.dispose();
  }, 120_000);

  it('reports progress through callbacks without printing', async () => {
    const events: string[] = [];
    const result = await trainModel({
      preset: 'default',
      featureSet: 'tutorial',
      examples: () => syntheticExamples(300),
      epochs: 2,
      batchSize: 32,
      batchEventInterval: 2,
      callbacks: {
        onTrainBegin: (event) => void events.push(`${event.type}:${event.backend}:${event.dataMode}`),
        onBatchEnd: (event) => void events.push(`${event.type}:${event.epoch}:${event.batch}/${event.stepsPerEpoch}`),
        onEpochEnd: (event) => void events.push(`${event.type}:${event.epoch}:${Number.isFinite(event.valLoss)}`),
      },
    });
    expect(events[0]).toBe('train-begin:cpu:memory');
    expect(events).toContain('epoch-end:2:true');
    expect(events.filter((event) => event.startsWith('batch-end:1:')).length).toBeGreaterThan(1);
    expect(result.backend).toBe('cpu');
    result.model.dispose();
  }, 120_000);

  it('stops promptly on abort with ModelAbortError and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const promise = trainModel({
      preset: 'tutorial',
      featureSet: 'tutorial',
      examples: () => syntheticExamples(2000),
      batchEventInterval: 10,
      signal: controller.signal,
      callbacks: { onBatchEnd: () => controller.abort(new Error('user pressed Ctrl-C')) },
    });
    await expect(promise).rejects.toBeInstanceOf(ModelAbortError);
    await expect(promise).rejects.toMatchObject({ code: 'ERR_MODEL_ABORTED' });
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('rejects examples of the wrong width with ERR_MODEL_INVALID_EXAMPLE', async () => {
    const examples = syntheticExamples(50);
    const error = await trainModel({ preset: 'default', featureSet: 'extended', examples: () => examples }).catch((caught: unknown) => caught);
    expect(ModelError.isInstance(error) && error.code).toBe('ERR_MODEL_INVALID_EXAMPLE');
    expect((error as Error).message).toContain('has 3 features, but feature set "extended" has 42');
  }, 120_000);

  it('rejects a split without both classes with ERR_MODEL_EMPTY_SPLIT', async () => {
    const examples = syntheticExamples(100).filter((example) => example.label === 1);
    await expect(trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => examples })).rejects.toMatchObject({ code: 'ERR_MODEL_EMPTY_SPLIT' });
  }, 120_000);

  it('warns when the model collapses to a constant score', async () => {
    const constant = syntheticExamples(200).map((example) => ({ ...example, features: Float32Array.of(1, 1, 1) }));
    const result = await trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => constant, epochs: 1 });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('collapsed to a constant');
    const healthy = await trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => syntheticExamples(200), epochs: 2, batchSize: 16 });
    expect(healthy.warnings).toEqual([]);
    result.model.dispose();
    healthy.model.dispose();
  }, 120_000);

  it('validates options', async () => {
    await expect(trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => [], batchSize: 0 })).rejects.toMatchObject({ code: 'ERR_MODEL_INVALID_OPTION' });
    await expect(trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => [], testFraction: 0.9, validationFraction: 0.1 })).rejects.toMatchObject({ code: 'ERR_MODEL_INVALID_OPTION' });
    // The default preset holds out 0.1 for validation: 0.95 for test leaves no training rows.
    const tooLarge = trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => [], testFraction: 0.95 });
    await expect(tooLarge).rejects.toMatchObject({ code: 'ERR_MODEL_INVALID_OPTION' });
    await expect(tooLarge).rejects.toThrow(/validationFraction must be >= 0 and leave rows for training .*got 0\.1/);
  }, 120_000);

  it.skipIf(sampleSkip)('learns the real sample far better than chance (default preset, extended features)', async () => {
    const file = sharedDataFile('sample-small.csv');
    const result = await trainModel({
      preset: 'default',
      featureSet: 'extended',
      examples: () => streamTrainingExamples(readDataset(file), 'extended'),
    });
    const metrics = computeMetrics(result.test);
    expect(result.dataFingerprint.rows).toBe(2000);
    expect(metrics.rocAuc).toBeGreaterThan(0.85);
    expect(metrics.f1).toBeGreaterThan(0.75);
    result.model.dispose();
  }, 120_000);

  it.skipIf(sampleSkip).each(['char', 'char-average'] as const)('trains the %s preset end to end: codes unstandardized, the saved model scores raw rows as the run did', async (preset) => {
    const examples: TrainingExample[] = [];
    for await (const example of streamTrainingExamples(readDataset(sharedDataFile('sample-small.csv')), 'char')) examples.push(example);
    const testKeys = new Set(examples.filter((_, index) => index % 5 === 0).map((example) => example.key));
    const result = await trainModel({ preset, featureSet: 'char', examples: () => examples, testKeys, epochs: 2, batchSize: 64 });
    const { normalization, model } = result;
    // The 24 character codes (features 242…265) keep mean 0 and std 1; the features are standardized.
    expect(Array.from(normalization!.mean.subarray(242, 266))).toEqual(new Array(24).fill(0));
    expect(Array.from(normalization!.std.subarray(242, 266))).toEqual(new Array(24).fill(1));
    expect(normalization!.std[0]).not.toBe(1);
    expect(model.inputs[0]?.shape).toEqual([null, 266]);
    // The saved model (length flags and the standardization inside) on raw rows gives the run's test scores.
    const testRows = examples.filter((example) => testKeys.has(example.key));
    const raw = tf.tensor2d(Float32Array.from(testRows.flatMap((example) => Array.from(example.features))), [testRows.length, 266]);
    const scores = (model.predict(raw) as tf.Tensor).arraySync() as number[][];
    expect(scores.length).toBe(result.test.scores.length);
    scores.forEach((row, index) => expect(row[1]).toBeCloseTo(result.test.scores[index]!, 5));
    expect(computeMetrics(result.test).rocAuc).toBeGreaterThan(0.8);
    raw.dispose();
    model.dispose();
  }, 120_000);
});
