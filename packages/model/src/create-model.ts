import * as tf from '@tensorflow/tfjs';
import { getFeatureSet, type FeatureSet, type FeatureSetName } from '@dga/features';
import { ModelError } from './errors';
import { getPreset, presetNames, type PresetName, type PresetSpec } from './presets';
import { deriveSeed } from './internal/rng';
import { foldNormalization, type Normalization } from './internal/normalization';
import { encodedWidth, resolveLengthEncoding, type LengthEncoding as LengthEncodingSpec } from './internal/length-encoding';
import { LengthEncoding } from './length-encoding-layer';
import { CharacterWindows } from './character-windows-layer';
import { DropColumns } from './drop-columns-layer';
import { PositionMax } from './position-max-layer';

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** The architecture recipe. */
  preset: PresetName;
  /** Decides the input width (3 for `tutorial`, 42 for `extended`). */
  featureSet: FeatureSetName;
  /**
   * Seed for every initializer and dropout layer (each gets its own seed derived from it).
   * @default 42
   */
  seed?: number;
  /**
   * Per-input mean and standard deviation of the training inputs. When given, the model
   * computes `f((x - mean) / std)` with the standardization folded into the first trainable Dense
   * layer's kernel and bias, so it still takes raw features and exports to ONNX as plain layers.
   * For a preset with `lengthEncoding` the inputs are the features, then the length flags
   * (`featureSet.size + maxLength − 1` values), as `trainModel` computes them.
   */
  normalization?: Normalization;
  /** Adam learning rate of the compiled optimizer. @default the preset's */
  learningRate?: number;
}

/** Std of a unit normal truncated at ±2, which Keras divides out of its truncated normals. */
const TRUNCATED_NORMAL_STD = 0.87962566103423978;

/**
 * Keras's `he_normal`: a normal truncated at ±2σ whose final std is sqrt(2 / fan_in). tfjs's
 * `heNormal` truncates without that correction (std ≈ 0.88 · sqrt(2 / fan_in)), so scale 2 is
 * divided by the truncated normal's variance to match Keras exactly.
 */
function kerasHeNormal(seed: number): ReturnType<typeof tf.initializers.varianceScaling> {
  return tf.initializers.varianceScaling({ scale: 2 / TRUNCATED_NORMAL_STD ** 2, mode: 'fanIn', distribution: 'normal', seed });
}

/** The default run seed. */
export const DEFAULT_SEED = 42;

/**
 * Builds the (compiled) tfjs model of a preset for a feature set: a `tf.Sequential` whose input is
 * `[N, featureSet.size]` raw features and whose output is `[N, 2]` softmax (index 0 = legit,
 * 1 = DGA). A preset with `lengthEncoding` starts with a {@link LengthEncoding} layer. Keras defaults are matched where tfjs differs: Dense kernels default to
 * glorot_uniform, BatchNormalization uses epsilon 1e-3 and momentum 0.99.
 *
 * @example
 * const model = createModel({ preset: 'tutorial', featureSet: 'tutorial', seed: 42 });
 * model.predict(tf.tensor2d([[12, 3.1, 0.25]])); // [[P(legit), P(dga)]]
 */
export function createModel(options: CreateModelOptions): tf.LayersModel {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!presetNames.includes(options.preset)) {
    throw new ModelError('ERR_MODEL_INVALID_OPTION', `createModel: unknown preset "${String(options.preset)}"; use one of ${presetNames.join(', ')}.`);
  }
  if (!Number.isInteger(seed) || seed < 0) {
    throw new ModelError('ERR_MODEL_INVALID_OPTION', `createModel: seed must be a non-negative integer, got ${seed}; pass e.g. 42.`);
  }
  const featureSet = getFeatureSet(options.featureSet);
  const preset = getPreset(options.preset);
  const encoding = resolveLengthEncoding(preset, featureSet);
  const spec = { preset, featureSet, seed, learningRate: options.learningRate };
  // An untrained model needs no separate network: the saved form with the same seeds is it.
  const model = encoding === undefined ? createNetwork(spec) : createSavedForm(spec, encoding);
  if (options.normalization !== undefined) foldPresetNormalization(model, spec, options.normalization, encodedWidth(featureSet.size, encoding));
  return model;
}

/**
 * Folds the standardization of the network's `width` inputs into its first Dense layer. With a
 * character branch that layer sees every input but the character codes, so their entries are left
 * out (the codes are never standardized: `trainModel` gives them mean 0 and std 1).
 */
export function foldPresetNormalization(model: tf.LayersModel, spec: NetworkSpec, normalization: Normalization, width: number): void {
  const codes = characterCodesOf(spec);
  if (codes === undefined) {
    foldNormalization(model, normalization, width);
    return;
  }
  const keep = (values: Float32Array): Float32Array => Float32Array.from([...values.subarray(0, codes.offset), ...values.subarray(codes.offset + codes.count)]);
  foldNormalization(model, { mean: keep(normalization.mean), std: keep(normalization.std) }, width - codes.count, 'dense_0');
}

/**
 * Where the character codes are when the preset has a character branch (undefined otherwise).
 * @throws ModelError `ERR_MODEL_INVALID_OPTION` for a character branch on a set without codes.
 */
export function characterCodesOf(spec: { preset: PresetSpec; featureSet: FeatureSet }): FeatureSet['characterCodes'] {
  if (spec.preset.characterBranch === undefined) return undefined;
  const codes = spec.featureSet.characterCodes;
  if (codes === undefined) {
    throw new ModelError('ERR_MODEL_INVALID_OPTION', `preset "${spec.preset.name}" has a character branch, but feature set "${spec.featureSet.name}" has no character codes; use the "char" feature set.`);
  }
  return codes;
}

/** What {@link createNetwork} builds from. */
export interface NetworkSpec {
  preset: PresetSpec;
  featureSet: FeatureSet;
  seed: number;
  learningRate?: number | undefined;
}

/**
 * The trainable network of a preset (internal): input `[N, encodedWidth]` (the features, plus
 * the length flags when the preset encodes length), compiled with adam and categorical
 * cross-entropy. {@link createModel} and `trainModel` turn it into the saved model.
 */
export function createNetwork(spec: NetworkSpec): tf.LayersModel {
  const { preset, featureSet, seed } = spec;
  const inputWidth = encodedWidth(featureSet.size, resolveLengthEncoding(preset, featureSet));
  if (preset.characterBranch !== undefined) return compile(createBranchedModel(spec, preset.characterBranch, inputWidth, undefined), spec);
  const model = tf.sequential({ name: modelName(spec) });
  addLayers(model, preset, seed, [inputWidth]);
  return compile(model, spec);
}

/**
 * The saved form of a length-encoding network (internal): a {@link LengthEncoding} layer on raw
 * features, then the network's layers (weights copied) with the standardization folded into the
 * first Dense layer. `network` keeps its weights; the caller still owns and disposes it.
 */
export function assembleEncodedModel(network: tf.LayersModel, spec: NetworkSpec & { encoding: LengthEncodingSpec; normalization: Normalization | undefined }): tf.LayersModel {
  const model = createSavedForm(spec, spec.encoding);
  // By name: the saved form has the same layers (and names) plus a weightless `length_encoding`.
  for (const layer of network.layers) {
    if (layer.weights.length > 0) model.getLayer(layer.name).setWeights(layer.getWeights());
  }
  if (spec.normalization !== undefined) foldPresetNormalization(model, spec, spec.normalization, encodedWidth(spec.featureSet.size, spec.encoding));
  return model;
}

/** A {@link LengthEncoding} layer on raw features, then the preset's layers (the network's seeds). */
function createSavedForm(spec: NetworkSpec, encoding: LengthEncodingSpec): tf.LayersModel {
  if (spec.preset.characterBranch !== undefined) return compile(createBranchedModel(spec, spec.preset.characterBranch, spec.featureSet.size, encoding), spec);
  const model = tf.sequential({ name: modelName(spec) });
  model.add(new LengthEncoding({ name: 'length_encoding', lengthIndex: encoding.lengthIndex, thresholds: encoding.thresholds, inputShape: [spec.featureSet.size] }));
  addLayers(model, spec.preset, spec.seed, null);
  return compile(model, spec);
}

/**
 * The two-branch model of a preset with a character branch, on `[N, width]` inputs (the raw
 * features with a `length_encoding` layer first when `encoding` is given, else the encoded rows):
 * - feature branch: `feature_columns` (a {@link DropColumns} without the codes) → the first
 *   hidden layer (`dense_0`, …);
 * - character branch: `character_windows` ({@link CharacterWindows}) → `character_dense` (Dense,
 *   relu, he_normal, shared over positions) → `character_max` ({@link PositionMax}: max over positions);
 * - joined as the preset's `join` says: `branches` (Concatenate) → the other hidden layers →
 *   `output`; or, for `average`, the feature branch → the other hidden layers → `feature_output`
 *   (Dense 2, softmax), the character branch → `character_hidden` (Dense `headUnits`, relu) →
 *   `character_output` (Dense 2, softmax), and `output` (Average) of the two heads.
 */
function createBranchedModel(spec: NetworkSpec, branch: NonNullable<PresetSpec['characterBranch']>, width: number, encoding: LengthEncodingSpec | undefined): tf.LayersModel {
  const { preset, seed } = spec;
  const codes = characterCodesOf(spec)!;
  const input = tf.input({ shape: [width], name: 'features' });
  const rows = encoding === undefined ? input : (new LengthEncoding({ name: 'length_encoding', lengthIndex: encoding.lengthIndex, thresholds: encoding.thresholds }).apply(input) as tf.SymbolicTensor);
  const join = branch.join ?? { kind: 'concatenate' };
  // With `average` the feature branch ends in its own head, named apart from the model's `output`.
  const [first, ...rest] = hiddenBlocks(preset, seed, null, join.kind === 'average' ? 'feature_output' : 'output');
  if (first === undefined) throw new ModelError('ERR_MODEL_INVALID_OPTION', `preset "${preset.name}" has a character branch but no hidden layer for the features.`);
  let features = new DropColumns({ name: 'feature_columns', offset: codes.offset, count: codes.count }).apply(rows) as tf.SymbolicTensor;
  for (const layer of first) features = layer.apply(features) as tf.SymbolicTensor;
  const windows = new CharacterWindows({ name: 'character_windows', offset: codes.offset, positions: codes.count, alphabetSize: codes.alphabet.length, window: branch.window }).apply(rows);
  const characterDense = tf.layers.dense({ name: 'character_dense', units: branch.units, activation: 'relu', kernelInitializer: kerasHeNormal(deriveSeed(seed, 'character_dense/kernel')) });
  const characters = new PositionMax({ name: 'character_max' }).apply(characterDense.apply(windows)) as tf.SymbolicTensor;
  if (join.kind === 'concatenate') {
    let output = tf.layers.concatenate({ name: 'branches', axis: -1 }).apply([features, characters]) as tf.SymbolicTensor;
    for (const layer of rest.flat()) output = layer.apply(output) as tf.SymbolicTensor;
    return tf.model({ name: modelName(spec), inputs: input, outputs: output });
  }
  for (const layer of rest.flat()) features = layer.apply(features) as tf.SymbolicTensor;
  const characterHidden = tf.layers.dense({ name: 'character_hidden', units: join.headUnits, activation: 'relu', kernelInitializer: kerasHeNormal(deriveSeed(seed, 'character_hidden/kernel')) });
  const characterOutput = softmaxOutput('character_output', seed).apply(characterHidden.apply(characters)) as tf.SymbolicTensor;
  const output = tf.layers.average({ name: 'output' }).apply([features, characterOutput]) as tf.SymbolicTensor;
  return tf.model({ name: modelName(spec), inputs: input, outputs: output });
}

function modelName(spec: NetworkSpec): string {
  return `dga_${spec.preset.name}_${spec.featureSet.name}`;
}

/** Compiles with adam (the preset's rate unless overridden) and categorical cross-entropy. */
function compile<T extends tf.LayersModel>(model: T, spec: NetworkSpec): T {
  model.compile({ optimizer: tf.train.adam(spec.learningRate ?? spec.preset.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  // tfjs only disposes optimizers it created from a string; this one is ours, so hand it over:
  // `model.dispose()` then also frees its variables.
  (model as unknown as { isOptimizerOwned: boolean }).isOptimizerOwned = true;
  return model;
}

/** Adds the preset's hidden layers and the softmax output; `inputShape` goes on the first one. */
function addLayers(model: tf.Sequential, preset: PresetSpec, seed: number, inputShape: number[] | null): void {
  for (const layer of hiddenBlocks(preset, seed, inputShape).flat()) model.add(layer);
}

/**
 * The preset's layers, one block per hidden layer (Dense, then BatchNormalization and Dropout when
 * the preset has them), the last block the softmax output (named `outputName`); `inputShape` goes
 * on the first Dense.
 */
function hiddenBlocks(preset: PresetSpec, seed: number, inputShape: number[] | null, outputName = 'output'): tf.layers.Layer[][] {
  const blocks = preset.hidden.map((layer, index) => {
    const initializerSeed = deriveSeed(seed, `dense_${index}/kernel`);
    const block: tf.layers.Layer[] = [
      tf.layers.dense({
        name: `dense_${index}`,
        units: layer.units,
        activation: layer.activation,
        kernelInitializer:
          layer.kernelInitializer === 'heNormal'
            ? kerasHeNormal(initializerSeed)
            : tf.initializers.glorotUniform({ seed: initializerSeed }),
        ...(layer.kernelRegularizer === undefined
          ? {}
          : {
              kernelRegularizer:
                layer.kernelRegularizer.l1 === 0
                  ? tf.regularizers.l2({ l2: layer.kernelRegularizer.l2 })
                  : tf.regularizers.l1l2(layer.kernelRegularizer),
            }),
        ...(index === 0 && inputShape !== null ? { inputShape } : {}),
      }),
    ];
    if (layer.batchNormalization) {
      block.push(tf.layers.batchNormalization({ name: `batch_normalization_${index}`, epsilon: 1e-3, momentum: 0.99 }));
    }
    if (layer.dropout > 0) {
      block.push(tf.layers.dropout({ name: `dropout_${index}`, rate: layer.dropout, seed: deriveSeed(seed, `dropout_${index}`) }));
    }
    return block;
  });
  blocks.push([softmaxOutput(outputName, seed)]);
  return blocks;
}

/** A 2-unit softmax Dense layer (glorot_uniform, seeded by its name): the output of a network or of a head. */
function softmaxOutput(name: string, seed: number): tf.layers.Layer {
  return tf.layers.dense({ name, units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, `${name}/kernel`) }) });
}
