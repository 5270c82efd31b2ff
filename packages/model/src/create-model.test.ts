import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getFeatureSet } from '@dga/features';
import { createModel, createNetwork } from './create-model';
import { getPreset } from './presets';
import { createRng } from './internal/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface LayerConfig {
  units?: number;
  activation?: string;
  kernelInitializer?: { className: string; config: { seed?: number } };
  kernelRegularizer?: { className: string; config: { l1: number; l2: number } } | null;
  epsilon?: number;
  momentum?: number;
  rate?: number;
  batchInputShape?: (number | null)[];
}

function layerSummary(model: tf.LayersModel): { className: string; config: LayerConfig }[] {
  return model.layers.map((layer) => ({ className: layer.getClassName(), config: layer.getConfig() }));
}

// tfjs's 'normal' is a normal truncated at ±2σ; Keras rescales so the truncated std is exact.
const kerasHeScale = 2 / 0.87962566103423978 ** 2;

describe('createModel', () => {
  it('initializes he_normal kernels with std sqrt(2 / fan_in) and no value beyond 2 target stds / 0.88, as Keras does', () => {
    // The trainable network: the saved model's first layer is the frozen length encoding.
    const model = createNetwork({ preset: getPreset('default'), featureSet: getFeatureSet('extended'), seed: 1 });
    const kernel = Array.from(model.layers[0]!.getWeights()[0]!.dataSync());
    // 42 features + 39 length flags.
    const target = Math.sqrt(2 / 81);
    const mean = kernel.reduce((total, value) => total + value, 0) / kernel.length;
    const std = Math.sqrt(kernel.reduce((total, value) => total + (value - mean) ** 2, 0) / kernel.length);
    // 10,368 samples: the std of the sample std is about 0.007 · target.
    expect(Math.abs(std / target - 1)).toBeLessThan(0.05);
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual((2 * target) / 0.87962566103423978 + 1e-6);
    model.dispose();
  });

  it('builds the tutorial model layer by layer as in the Keras tutorial', () => {
    const model = createModel({ preset: 'tutorial', featureSet: 'tutorial' });
    const layers = layerSummary(model);
    expect(layers.map((layer) => layer.className)).toEqual([
      'Dense', 'BatchNormalization', 'Dropout',
      'Dense', 'BatchNormalization', 'Dropout',
      'Dense', 'Dense',
    ]);
    const [dense1, bn1, dropout1, dense2, bn2, dropout2, dense3, output] = layers.map((layer) => layer.config);
    expect(dense1).toMatchObject({ units: 10, activation: 'relu', batchInputShape: [null, 3] });
    // Keras he_normal = VarianceScaling(2, fan_in, truncated normal with std corrected to sqrt(2 / fan_in)).
    expect(dense1?.kernelInitializer?.className).toBe('VarianceScaling');
    expect(dense1?.kernelInitializer?.config).toMatchObject({ scale: kerasHeScale, mode: 'fanIn', distribution: 'normal' });
    expect(dense1?.kernelRegularizer).toEqual({ className: 'L1L2', config: { l1: 0, l2: 0.01 } });
    for (const bn of [bn1, bn2]) expect(bn).toMatchObject({ epsilon: 1e-3, momentum: 0.99 });
    for (const dropout of [dropout1, dropout2]) expect(dropout?.rate).toBe(0.3);
    for (const dense of [dense2, dense3]) {
      expect(dense?.kernelInitializer?.config).toMatchObject({ scale: kerasHeScale, mode: 'fanIn', distribution: 'normal' });
      expect(dense?.kernelRegularizer).toEqual({ className: 'L1L2', config: { l1: 0.001, l2: 0.001 } });
    }
    expect(dense2?.units).toBe(7);
    expect(dense3?.units).toBe(5);
    expect(output).toMatchObject({ units: 2, activation: 'softmax', kernelRegularizer: null });
    // Keras's Dense default is glorot_uniform (tfjs's would be glorotNormal).
    expect(output?.kernelInitializer?.config).toMatchObject({ scale: 1, mode: 'fanAvg', distribution: 'uniform' });
    expect(model.outputs[0]?.shape).toEqual([null, 2]);
    model.dispose();
  });

  it('compiles with adam(0.001) and categorical cross-entropy like Keras defaults', () => {
    const model = createModel({ preset: 'tutorial', featureSet: 'tutorial' });
    expect(model.loss).toBe('categoricalCrossentropy');
    const optimizerConfig = model.optimizer.getConfig();
    expect(model.optimizer.getClassName()).toBe('Adam');
    expect(optimizerConfig).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.999 });
    model.dispose();
  });

  it('sizes the input from the feature set for any preset', () => {
    for (const preset of ['tutorial', 'default'] as const) {
      expect(createModel({ preset, featureSet: 'extended' }).inputs[0]?.shape).toEqual([null, 42]);
      expect(createModel({ preset, featureSet: 'tutorial' }).inputs[0]?.shape).toEqual([null, 3]);
    }
  });

  it('builds the ngram preset as default\'s network on the 244 ngram features, length flags in front', () => {
    const preset = getPreset('ngram');
    expect(preset.featureSet).toBe('ngram');
    expect({ ...preset, name: 'default', featureSet: 'bigram' }).toEqual(getPreset('default'));
    const model = createModel({ preset: 'ngram', featureSet: 'ngram' });
    expect(model.inputs[0]?.shape).toEqual([null, getFeatureSet('ngram').size]);
    expect(model.layers.map((layer) => layer.name)).toEqual(['length_encoding', 'dense_0', 'dense_1', 'output']);
    model.dispose();
  });

  it('builds the char preset as two branches on one input: features (without the codes) and characters, joined before dense_1', () => {
    const model = createModel({ preset: 'char', featureSet: 'char', seed: 3 });
    expect(model.inputs[0]?.shape).toEqual([null, 266]);
    expect(model.layers.map((layer) => layer.name)).toEqual([
      'features', 'length_encoding', 'character_windows', 'feature_columns', 'character_dense', 'dense_0', 'character_max', 'branches', 'dense_1', 'output',
    ]);
    expect(model.getLayer('dense_0').getWeights()[0]?.shape).toEqual([242 + 39, 128]);
    // 22 windows of 3 characters over 37 characters; 32 units shared over the windows.
    expect(model.getLayer('character_dense').getWeights()[0]?.shape).toEqual([111, 32]);
    expect(model.getLayer('dense_1').getWeights()[0]?.shape).toEqual([128 + 32, 64]);
    expect(() => createModel({ preset: 'char', featureSet: 'bigram' })).toThrow(/no character codes; use the "char" feature set/);
    model.dispose();
  });

  it('builds the char-average preset as two branches, each with its own softmax head, averaged into the output', () => {
    const model = createModel({ preset: 'char-average', featureSet: 'char', seed: 3 });
    expect(model.inputs[0]?.shape).toEqual([null, 266]);
    expect(model.outputs[0]?.shape).toEqual([null, 2]);
    expect(model.layers.map((layer) => layer.name)).toEqual([
      'features', 'length_encoding', 'character_windows', 'feature_columns', 'character_dense', 'dense_0', 'character_max', 'dense_1', 'character_hidden', 'feature_output', 'character_output', 'output',
    ]);
    expect(model.getLayer('output').getClassName()).toBe('Average');
    expect(model.getLayer('dense_1').getWeights()[0]?.shape).toEqual([128, 64]);
    expect(model.getLayer('feature_output').getWeights()[0]?.shape).toEqual([64, 2]);
    expect(model.getLayer('character_hidden').getWeights()[0]?.shape).toEqual([32, 64]);
    expect(model.getLayer('character_output').getWeights()[0]?.shape).toEqual([64, 2]);
    // The output is the mean of the two heads' probabilities.
    const rows = tf.tensor2d(Float32Array.from({ length: 2 * 266 }, (_, index) => (index % 266 >= 242 ? (index % 37) + 1 : (index % 7) / 7)), [2, 266]);
    const headsModel = tf.model({ inputs: model.inputs, outputs: ['feature_output', 'character_output'].map((name) => model.getLayer(name).output as tf.SymbolicTensor) });
    const [featureHead, characterHead] = (headsModel.predict(rows) as tf.Tensor[]).map((tensor) => tensor.arraySync() as number[][]);
    const output = (model.predict(rows) as tf.Tensor).arraySync() as number[][];
    output.forEach((row, index) => row.forEach((value, column) => expect(value).toBeCloseTo((featureHead![index]![column]! + characterHead![index]![column]!) / 2, 6)));
    expect(featureHead![0]![1]).not.toBeCloseTo(characterHead![0]![1]!, 3);
    rows.dispose();
    model.dispose();
  });

  it('char preset: model(x) equals network(encode(x)) with the features standardized and the codes as they are', () => {
    const featureSet = getFeatureSet('char');
    const width = 266 + 39;
    const network = createNetwork({ preset: getPreset('char'), featureSet, seed: 5 });
    const rng = createRng(4);
    const mean = Float32Array.from({ length: width }, (_, index) => (index >= 242 && index < 266 ? 0 : rng.next() * 2 - 1));
    const std = Float32Array.from({ length: width }, (_, index) => (index >= 242 && index < 266 ? 1 : 0.2 + rng.next()));
    const model = createModel({ preset: 'char', featureSet: 'char', seed: 5, normalization: { mean, std } });
    const labels = ['google', 'x', 'qwzkxjv0-9', 'abcdefghijklmnopqrstuvwxyz0123456789'];
    const raw = new Float32Array(labels.length * 266);
    labels.forEach((label, row) => featureSet.compute(label, raw, row * 266));
    const encoded = new Float32Array(labels.length * width);
    labels.forEach((label, row) => {
      for (let index = 0; index < width; index += 1) {
        const value = index < 266 ? raw[row * 266 + index]! : label.length >= index - 266 + 2 ? 1 : 0;
        encoded[row * width + index] = (value - mean[index]!) / std[index]!;
      }
    });
    const expected = (network.predict(tf.tensor2d(encoded, [labels.length, width])) as tf.Tensor).arraySync() as number[][];
    const actual = (model.predict(tf.tensor2d(raw, [labels.length, 266])) as tf.Tensor).arraySync() as number[][];
    actual.forEach((row, index) => row.forEach((value, column) => expect(value).toBeCloseTo(expected[index]![column]!, 5)));
    // The character branch matters: another first character changes the score.
    const other = new Float32Array(raw.subarray(0, 266));
    other[242] = 26;
    const changed = (model.predict(tf.tensor2d(other, [1, 266])) as tf.Tensor).arraySync() as number[][];
    expect(changed[0]![1]).not.toBeCloseTo(actual[0]![1]!, 6);
    network.dispose();
    model.dispose();
  });

  it('gives identical weights for the same seed and different ones for another seed', () => {
    const weightsOf = (seed: number): Float32Array[] =>
      createModel({ preset: 'tutorial', featureSet: 'tutorial', seed }).getWeights().map((tensor) => tensor.dataSync() as Float32Array);
    const first = weightsOf(42);
    expect(weightsOf(42)).toEqual(first);
    expect(weightsOf(43)[0]).not.toEqual(first[0]);
  });

  it('folds a normalization into the first layer: f_norm(x) equals f((x - mean) / std)', () => {
    // The tutorial preset has no length encoding: the network is the model.
    const mean = Float32Array.from({ length: 3 }, (_, index) => index * 0.5);
    const std = Float32Array.from({ length: 3 }, (_, index) => 0.25 + index * 0.1);
    const plain = createModel({ preset: 'tutorial', featureSet: 'tutorial', seed: 5 });
    const folded = createModel({ preset: 'tutorial', featureSet: 'tutorial', seed: 5, normalization: { mean, std } });
    const rng = createRng(1);
    const raw = Float32Array.from({ length: 8 * 3 }, () => rng.next() * 10);
    const standardized = raw.map((value, index) => (value - mean[index % 3]!) / std[index % 3]!);
    const expected = (plain.predict(tf.tensor2d(standardized, [8, 3])) as tf.Tensor).arraySync() as number[][];
    const actual = (folded.predict(tf.tensor2d(raw, [8, 3])) as tf.Tensor).arraySync() as number[][];
    actual.forEach((row, index) => row.forEach((value, column) => expect(value).toBeCloseTo(expected[index]![column]!, 5)));
  });

  it('starts the default preset with a frozen length encoding: model(x) equals network(standardize(x, [length ≥ k] for k = 2…40))', () => {
    const featureSet = getFeatureSet('extended');
    const width = 42 + 39;
    const network = createNetwork({ preset: getPreset('default'), featureSet, seed: 5 });
    const rng = createRng(3);
    const mean = Float32Array.from({ length: width }, () => rng.next() * 2 - 1);
    const std = Float32Array.from({ length: width }, () => 0.2 + rng.next());
    const model = createModel({ preset: 'default', featureSet: 'extended', seed: 5, normalization: { mean, std } });
    expect(model.layers[0]?.name).toBe('length_encoding');
    expect(model.layers[0]?.trainable).toBe(false);
    expect(model.inputs[0]?.shape).toEqual([null, 42]);
    // Lengths below, inside and beyond the flags; other features of either sign.
    const lengths = [1, 2, 3, 11, 39, 40, 41, 63];
    const raw = new Float32Array(lengths.length * 42);
    lengths.forEach((length, row) => {
      raw[row * 42] = length;
      for (let index = 1; index < 42; index += 1) raw[row * 42 + index] = rng.next() * 6 - 3;
    });
    // The independent encoding: the features, then one 0/1 flag per threshold, standardized.
    const encoded = new Float32Array(lengths.length * width);
    lengths.forEach((length, row) => {
      for (let index = 0; index < width; index += 1) {
        const value = index < 42 ? raw[row * 42 + index]! : length >= index - 42 + 2 ? 1 : 0;
        encoded[row * width + index] = (value - mean[index]!) / std[index]!;
      }
    });
    const expected = (network.predict(tf.tensor2d(encoded, [lengths.length, width])) as tf.Tensor).arraySync() as number[][];
    const actual = (model.predict(tf.tensor2d(raw, [lengths.length, 42])) as tf.Tensor).arraySync() as number[][];
    actual.forEach((row, index) => row.forEach((value, column) => expect(value).toBeCloseTo(expected[index]![column]!, 5)));
    // Without a normalization the network sees the encoded rows as they are.
    const unnormalized = createModel({ preset: 'default', featureSet: 'extended', seed: 5 });
    const plainEncoded = encoded.map((value, index) => value * std[index % width]! + mean[index % width]!);
    const expectedPlain = (network.predict(tf.tensor2d(plainEncoded, [lengths.length, width])) as tf.Tensor).arraySync() as number[][];
    const actualPlain = (unnormalized.predict(tf.tensor2d(raw, [lengths.length, 42])) as tf.Tensor).arraySync() as number[][];
    actualPlain.forEach((row, index) => row.forEach((value, column) => expect(value).toBeCloseTo(expectedPlain[index]![column]!, 5)));
  });

  it('rejects unknown presets and invalid seeds with ERR_MODEL_INVALID_OPTION', () => {
    expect(() => createModel({ preset: 'huge' as 'default', featureSet: 'tutorial' })).toThrow(expect.objectContaining({ code: 'ERR_MODEL_INVALID_OPTION' }));
    expect(() => createModel({ preset: 'default', featureSet: 'tutorial', seed: -1 })).toThrow(expect.objectContaining({ code: 'ERR_MODEL_INVALID_OPTION' }));
  });
});
