import * as tf from '@tensorflow/tfjs';
import { getFeatureSet, type FeatureSetName } from '@dga/features';
import { assembleEncodedModel, characterCodesOf, createNetwork, foldPresetNormalization } from './create-model';
import { throwIfAborted } from './errors';
import { getPreset, type PresetName } from './presets';
import { collapseWarnings } from './internal/collapse-warnings';
import { EarlyStopping } from './internal/early-stopping';
import { runEpochLoop } from './internal/epoch-loop';
import { createLearningRateSchedule } from './internal/learning-rate-schedule';
import { encodedWidth, resolveLengthEncoding } from './internal/length-encoding';
import type { Normalization } from './internal/normalization';
import { createRng, deriveSeed } from './internal/rng';
import { scanExamples } from './internal/scan-examples';
import { scoreSplit } from './internal/score-split';
import { createFixedTestSplitter, createSplitter } from './internal/split';
import { createTrainingStep } from './internal/training-step';
import { resolveTrainingSettings, validateOptions } from './internal/training-settings';
import { createYielder } from './internal/yielder';


/** One labelled row, already featurized with the run's feature set. */
export interface TrainingExample {
  /** `featureSet.size` values in feature-set order. */
  features: Float32Array;
  /** 0 = legit, 1 = DGA. */
  label: 0 | 1;
  /** `legit` or the DGA family; used for per-family recall. */
  subclass: string;
  /** The domain label; hashed with the seed to assign the row to train / validation / test. */
  key: string;
}


/** Row counts per split and class. */
export interface SplitCounts {
  train: { legit: number; dga: number };
  validation: { legit: number; dga: number };
  test: { legit: number; dga: number };
}

/** Emitted once, after the scan pass assigned every row to a split. */
export interface TrainBeginEvent {
  type: 'train-begin';
  split: SplitCounts;
  epochs: number;
  batchSize: number;
  stepsPerEpoch: number;
  backend: string;
  /** `memory`: the rows fit in `cacheBytes` and epochs replay packed arrays; `stream`: every epoch re-reads `examples()`. */
  dataMode: 'memory' | 'stream';
  scanSeconds: number;
}

/** Emitted every `batchEventInterval` steps and after the last step of an epoch. */
export interface BatchEndEvent {
  type: 'batch-end';
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based step within the epoch. */
  batch: number;
  stepsPerEpoch: number;
  /** Running mean over this epoch's batches so far. */
  loss: number;
  accuracy: number;
  /** Estimated seconds left in the whole run, assuming every epoch runs (early stopping may end sooner). */
  etaSeconds: number;
}

/** Emitted after each epoch (and its validation pass): the epoch's {@link EpochLog} and progress. */
export interface EpochEndEvent extends EpochLog {
  type: 'epoch-end';
  epochs: number;
  etaSeconds: number;
  /** True when this epoch has the best monitored validation value so far (the preset's `monitor`). */
  improved: boolean;
}

/**
 * Progress callbacks (tfjs `CustomCallback` style). They may return a promise, which training
 * awaits. The library itself prints nothing.
 */
export interface TrainingCallbacks {
  onTrainBegin?(event: TrainBeginEvent): void | Promise<void>;
  onBatchEnd?(event: BatchEndEvent): void | Promise<void>;
  onEpochEnd?(event: EpochEndEvent): void | Promise<void>;
}

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  /** Architecture and recipe. */
  preset: PresetName;
  /** Feature set the examples were computed with; decides the input width. */
  featureSet: FeatureSetName;
  /**
   * Returns a fresh stream of all labelled rows (train, validation and test together; the split is
   * made here). Called once for the scan pass and again per epoch when the rows do not fit in
   * `cacheBytes`.
   */
  examples: () => AsyncIterable<TrainingExample> | Iterable<TrainingExample>;
  /** @default 42 */
  seed?: number;
  /** @default the preset's for this feature set (tutorial 10; default 6 on bigram, 10 on extended, 12 on tutorial) */
  epochs?: number;
  /** @default the preset's (tutorial 7, default 512) */
  batchSize?: number;
  /** Adam learning rate. @default the preset's (tutorial 0.001, default 0.004 peak of its cosine schedule) */
  learningRate?: number;
  /** Share of rows held out for the test split. @default the preset's (0.2) */
  testFraction?: number;
  /**
   * A fixed test split instead of the hashed one: the rows whose `key` is in the set, e.g. the
   * test rows of a split made by another tool, to compare on exactly the same rows. The other rows
   * go to validation with probability `validationFraction` (by the seeded hash), else to train;
   * `testFraction` is then unused.
   */
  testKeys?: ReadonlySet<string>;
  /** Share of rows held out for validation. @default the preset's (tutorial 0, default 0.1) */
  validationFraction?: number;
  /** Early-stopping patience in epochs; `null` disables it. @default the preset's (tutorial null, default 3) */
  patience?: number | null;
  /**
   * Memory budget for keeping packed feature rows between epochs. Larger datasets are re-streamed
   * from `examples()` every epoch through a seeded shuffle buffer, so memory stays flat. Counts
   * allocated capacity (growth doubles), so the real footprint stays under it.
   * @default 268435456 (256 MiB: dga-training.csv with the 242 `bigram` features and 39 length flags fits)
   */
  cacheBytes?: number;
  /** Rows in the shuffle buffer in stream mode. @default 16384 */
  shuffleBufferRows?: number;
  /** Steps between `batch-end` events. @default 200 */
  batchEventInterval?: number;
  /** Stops training promptly; the promise rejects with `ModelAbortError`. */
  signal?: AbortSignal;
  callbacks?: TrainingCallbacks;
  /** Clock in milliseconds, for timings only. @default performance.now */
  now?: () => number;
}

/** Per-epoch record. */
export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | undefined;
  valAccuracy: number | undefined;
  /** ROC AUC on the validation split (undefined without one, or when it holds a single class). */
  valAuc: number | undefined;
  seconds: number;
  msPerStep: number;
}

/** Scores of a held-out split, ready for `computeMetrics`. */
export interface ScoredRows {
  /** P(DGA) per row. */
  scores: Float32Array;
  labels: Uint8Array;
  families: string[];
}

/** What {@link trainModel} returns. The caller owns `model` and must `dispose()` it. */
export interface TrainResult {
  /** Trained model taking raw features (any standardization is folded into its first layer). */
  model: tf.LayersModel;
  preset: PresetName;
  featureSet: { name: FeatureSetName; version: number; features: string[] };
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  history: EpochLog[];
  /**
   * The epoch whose weights were kept: with early stopping, the best value of the preset's `monitor`
   * (validation ROC AUC for `default`, validation loss for `tutorial`); without it, the last epoch.
   */
  bestEpoch: number;
  stoppedEarly: boolean;
  split: SplitCounts;
  /**
   * Standardization folded into the model, when the preset uses it: one mean and std per network
   * input (the features, then the length flags when the preset encodes length).
   */
  normalization: Normalization | undefined;
  /** The held-out test split, scored with the final model; never used in training. */
  test: ScoredRows;
  /** The validation split, scored with the final model (empty without validation). */
  validation: ScoredRows;
  /**
   * SHA-256 over `key \t label \t subclass \n` of every row in stream order, and the row count.
   * Identifies the training data (features are a pure function of the key and the feature set).
   */
  dataFingerprint: { sha256: string; rows: number };
  dataMode: 'memory' | 'stream';
  backend: string;
  /** Wall time of the whole call, scan and evaluation included. */
  seconds: number;
  /** Mean milliseconds per optimizer step over all epochs. */
  msPerStep: number;
  /**
   * Problems worth telling the user about, e.g. a collapsed model whose test scores are all equal
   * (the tutorial recipe can lose every ReLU for some seeds). Empty when all is well.
   */
  warnings: string[];
}

/**
 * Trains a preset on streamed examples.
 *
 * 1. A scan pass checks every row and assigns it to a seeded train / validation / test split (a
 *    hash of seed, class and key, so each class is split alike; `testKeys` fixes the test split
 *    instead). It counts the rows, computes the data fingerprint and, when the preset
 *    standardizes, the training-split mean/std (Welford), and keeps the rows packed in memory when
 *    they fit in `cacheBytes` (else every epoch re-reads `examples()`).
 * 2. A hand-rolled Adam loop (the same math as `model.fit`, without its per-step overhead) trains
 *    on seeded shuffled batches at the preset's learning-rate schedule (constant, or cosine with
 *    warm-up). With early stopping (`patience`) it stops when the preset's `monitor` stops
 *    improving and restores the best weights: validation ROC AUC for `default`; validation loss for
 *    `tutorial`, which by default has no validation split and no early stopping (set
 *    `validationFraction` and `patience`).
 * 3. Standardization is folded into the first layer (for a preset with `lengthEncoding`, the saved
 *    model gets a frozen `length_encoding` layer in front, so it still takes raw features), and the
 *    final model scores the validation and test splits.
 *
 * The test split never influences training or stopping. The same seed and examples give the same
 * model and scores. Progress goes to `callbacks`; the library prints nothing.
 *
 * @throws ModelError `ERR_MODEL_INVALID_OPTION` for a bad option, `ERR_MODEL_INVALID_EXAMPLE`
 *   for a row of the wrong width or label, `ERR_MODEL_EMPTY_SPLIT` when the training or test split
 *   is empty or the training split lacks a class, `ERR_MODEL_TRAINING_DIVERGED` for a non-finite loss.
 * @throws ModelAbortError when `signal` aborts.
 *
 * @example
 * const result = await trainModel({
 *   preset: 'default',
 *   featureSet: 'extended',
 *   examples: () => streamTrainingExamples(readDataset('dga-training.csv'), 'extended'),
 *   callbacks: { onEpochEnd: (event) => console.error(event.epoch, event.valAuc) },
 * });
 * const metrics = computeMetrics(result.test);
 */
export async function trainModel(options: TrainModelOptions): Promise<TrainResult> {
  validateOptions(options);
  const now = options.now ?? (() => performance.now());
  const started = now();
  const { signal, callbacks } = options;
  const preset = getPreset(options.preset);
  const featureSet = getFeatureSet(options.featureSet);
  const settings = resolveTrainingSettings(options, preset, featureSet);
  const { seed, epochs, batchSize, learningRate } = settings;
  // The network's input: the features, plus the length flags when the preset encodes length.
  const encoding = resolveLengthEncoding(preset, featureSet);
  const width = encodedWidth(featureSet.size, encoding);
  const splitSeed = deriveSeed(seed, 'split');
  const splitter =
    options.testKeys === undefined
      ? createSplitter(splitSeed, settings.testFraction, settings.validationFraction)
      : createFixedTestSplitter(options.testKeys, splitSeed, settings.validationFraction);
  const source = { examples: options.examples, splitter, size: featureSet.size, featureSetName: featureSet.name, signal, maybeYield: createYielder(now) };
  throwIfAborted(signal, 'trainModel');

  const unscaledColumns = characterCodesOf({ preset, featureSet });
  const { data, split, dataFingerprint } = await scanExamples(source, { width, encoding, standardize: preset.standardize, cacheBytes: settings.cacheBytes, testKeys: options.testKeys, unscaledColumns });
  const { normalization } = data;
  const validationRows = split.validation.legit + split.validation.dga;
  const dataMode = data.cache === undefined ? 'stream' : 'memory';
  const backend = tf.getBackend();
  const stepsPerEpoch = Math.ceil((split.train.legit + split.train.dga) / batchSize);

  // Trained on standardized encoded rows; turned into the saved model (raw features in) at the end.
  const model = createNetwork({ preset, featureSet, seed, learningRate });
  let finalModel: tf.LayersModel | undefined;
  const earlyStopping = new EarlyStopping(model, preset.monitor, settings.patience, validationRows > 0);
  try {
    const step = createTrainingStep(model, width, seed);
    const shuffleRng = createRng(deriveSeed(seed, 'shuffle'));
    await callbacks?.onTrainBegin?.({ type: 'train-begin', split, epochs, batchSize, stepsPerEpoch, backend, dataMode, scanSeconds: (now() - started) / 1000 });
    const learningRateAt = createLearningRateSchedule(preset.schedule, learningRate, epochs * stepsPerEpoch);
    const loop = await runEpochLoop({ data, model, step, earlyStopping, settings, stepsPerEpoch, validationRows, learningRateAt, shuffleRng, callbacks, now });
    const bestEpoch = earlyStopping.restoreBest(loop.history.length);
    step.restoreDropoutSeeds();
    if (encoding === undefined) {
      if (normalization !== undefined) foldPresetNormalization(model, { preset, featureSet, seed, learningRate }, normalization, featureSet.size);
      finalModel = model;
    } else {
      finalModel = assembleEncodedModel(model, { preset, featureSet, seed, learningRate, encoding, normalization });
      model.dispose();
    }
    const validation = validationRows > 0 ? await scoreSplit(data, 'validation', finalModel, 'final') : { scores: new Float32Array(0), labels: new Uint8Array(0), families: [] };
    const test = await scoreSplit(data, 'test', finalModel, 'final');
    return {
      model: finalModel,
      preset: options.preset,
      featureSet: { name: featureSet.name, version: featureSet.version, features: featureSet.features.map((feature) => feature.name) },
      seed,
      epochs,
      batchSize,
      learningRate,
      history: loop.history,
      bestEpoch,
      stoppedEarly: loop.stoppedEarly,
      split,
      normalization,
      test,
      validation,
      dataFingerprint,
      dataMode,
      backend,
      seconds: (now() - started) / 1000,
      msPerStep: loop.totalStepMs / Math.max(loop.totalSteps, 1),
      warnings: collapseWarnings(test, seed),
    };
  } catch (error) {
    earlyStopping.dispose();
    // Once assembled, the network is already disposed and `finalModel` is the one to free.
    (finalModel ?? model).dispose();
    throw error;
  }
}
