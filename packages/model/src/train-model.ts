import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { getFeatureSet, type FeatureSetName } from '@dga/features';
import { computeMetrics } from './compute-metrics';
import { assembleEncodedModel, createNetwork, DEFAULT_SEED } from './create-model';
import { ModelAbortError, ModelError, throwIfAborted } from './errors';
import { getPreset, presetNames, type PresetName } from './presets';
import type { SplitName } from './internal/split';
import { FamilyTable, PackedRows } from './internal/packed-rows';
import { foldNormalization, WelfordAccumulator, type Normalization } from './internal/normalization';
import { createRng, deriveSeed, shuffleInPlace, type Rng } from './internal/rng';
import { createFixedTestSplitter, createSplitter } from './internal/split';
import { encodedWidth, encodeRow, resolveLengthEncoding } from './internal/length-encoding';

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
  /** Share of rows held out for the test split. @default 0.2 */
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
  /** Stops training promptly; the promise rejects with {@link ModelAbortError}. */
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

/** Scores of a held-out split, ready for {@link computeMetrics}. */
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

const EVAL_BATCH = 4096;
/** Test ROC AUC at or below which a trained model is reported as no better than chance. */
const CHANCE_AUC = 0.55;

type DropoutLike = tf.layers.Layer & { seed?: number | undefined };

function checkExample(example: TrainingExample, size: number, row: number, featureSetName: string): void {
  if (example.features?.length !== size) {
    throw new ModelError('ERR_MODEL_INVALID_EXAMPLE', `trainModel: example ${row} (key "${String(example.key).slice(0, 80)}") has ${example.features?.length} features, but feature set "${featureSetName}" has ${size}; featurize with the same feature set you pass to trainModel.`);
  }
  if (example.label !== 0 && example.label !== 1) {
    throw new ModelError('ERR_MODEL_INVALID_EXAMPLE', `trainModel: example ${row} (key "${String(example.key).slice(0, 80)}") has label ${String(example.label)}; labels must be 0 (legit) or 1 (DGA).`);
  }
}

function validateOptions(options: TrainModelOptions): void {
  const fail = (message: string): never => {
    throw new ModelError('ERR_MODEL_INVALID_OPTION', `trainModel: ${message}`);
  };
  if (!presetNames.includes(options.preset)) fail(`unknown preset "${String(options.preset)}"; use one of ${presetNames.join(', ')}.`);
  if (typeof options.examples !== 'function') fail('examples must be a function returning a fresh (async) iterable of TrainingExample, so each epoch can re-read it.');
  const positiveInteger = (name: string, value: number | undefined): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) fail(`${name} must be a positive integer, got ${value}.`);
  };
  positiveInteger('epochs', options.epochs);
  positiveInteger('batchSize', options.batchSize);
  positiveInteger('shuffleBufferRows', options.shuffleBufferRows);
  positiveInteger('batchEventInterval', options.batchEventInterval);
  if (options.seed !== undefined && (!Number.isInteger(options.seed) || options.seed < 0)) fail(`seed must be a non-negative integer, got ${options.seed}.`);
  if (options.learningRate !== undefined && !(options.learningRate > 0)) fail(`learningRate must be > 0, got ${options.learningRate}.`);
  if (options.patience !== undefined && options.patience !== null && (!Number.isInteger(options.patience) || options.patience < 1)) fail(`patience must be a positive integer or null, got ${options.patience}.`);
  if (options.cacheBytes !== undefined && !(options.cacheBytes >= 0)) fail(`cacheBytes must be >= 0, got ${options.cacheBytes}.`);
  if (options.testKeys !== undefined && !(options.testKeys instanceof Set)) fail('testKeys must be a Set of example keys (the domain labels of the test rows).');
  const test = options.testFraction ?? 0.2;
  const validation = options.validationFraction ?? 0;
  if (!(test > 0 && test < 1)) fail(`testFraction must be in (0, 1), got ${test}.`);
  if (!(validation >= 0 && validation < 1) || test + validation >= 1) fail(`validationFraction must be >= 0 and leave rows for training (testFraction + validationFraction < 1), got ${validation}.`);
}

async function* iterate<T>(source: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  yield* source;
}

function makeYielder(now: () => number): () => Promise<void> {
  let last = now();
  return async () => {
    const current = now();
    if (current - last < 25) return;
    last = current;
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
}

/**
 * Trains a preset on streamed examples: a scan pass assigns each row to a seeded, stratified
 * train / validation / test split (hash of seed and label key), computes the training-split
 * mean/std (Welford) and a data fingerprint, and keeps packed rows in memory when they fit in
 * `cacheBytes`; then a hand-rolled Adam loop trains on seeded shuffled batches (the same math as
 * `model.fit`, without its per-step overhead) at the preset's learning-rate schedule (constant, or
 * cosine with warm-up), with early stopping on the preset's `monitor` and the best weights
 * restored: validation ROC AUC for `default`; validation loss for `tutorial`, which by default has
 * no validation split and no early stopping (set `validationFraction` and `patience`). Finally standardization is folded into the first layer (for a preset with
 * `lengthEncoding`, the saved model gets a frozen `length_encoding` layer in front, so it still takes
 * raw features) and the test split is scored. The test split never influences training or stopping.
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
  const size = featureSet.size;
  // The network's input: the features, plus the length flags when the preset encodes length.
  const encoding = resolveLengthEncoding(preset, featureSet);
  const width = encodedWidth(size, encoding);
  const seed = options.seed ?? DEFAULT_SEED;
  const epochs = options.epochs ?? preset.epochsByFeatureSet?.[featureSet.name] ?? preset.epochs;
  const batchSize = options.batchSize ?? preset.batchSize;
  const learningRate = options.learningRate ?? preset.learningRate;
  const testFraction = options.testFraction ?? preset.testFraction;
  const validationFraction = options.validationFraction ?? preset.validationFraction;
  const patience = options.patience === undefined ? preset.patience : options.patience ?? undefined;
  const cacheBytes = options.cacheBytes ?? 256 * 2 ** 20;
  const shuffleBufferRows = options.shuffleBufferRows ?? 16384;
  const batchEventInterval = options.batchEventInterval ?? 200;
  const splitter =
    options.testKeys === undefined
      ? createSplitter(deriveSeed(seed, 'split'), testFraction, validationFraction)
      : createFixedTestSplitter(options.testKeys, deriveSeed(seed, 'split'), validationFraction);
  const families = new FamilyTable();
  const maybeYield = makeYielder(now);
  throwIfAborted(signal, 'trainModel');

  // ---- Scan pass -------------------------------------------------------------------------
  const split: SplitCounts = { train: { legit: 0, dga: 0 }, validation: { legit: 0, dga: 0 }, test: { legit: 0, dga: 0 } };
  const welford = preset.standardize ? new WelfordAccumulator(width) : undefined;
  const hash = createHash('sha256');
  let cache: Record<SplitName, PackedRows> | undefined = {
    train: new PackedRows(width, families),
    validation: new PackedRows(width, families),
    test: new PackedRows(width, families),
  };
  const encoded = new Float32Array(width);
  let rows = 0;
  for await (const example of iterate(options.examples())) {
    checkExample(example, size, rows, featureSet.name);
    const splitName = splitter.assign(example);
    split[splitName][example.label === 1 ? 'dga' : 'legit'] += 1;
    hash.update(`${example.key}\t${example.label}\t${example.subclass}\n`);
    encodeRow(example.features, size, encoding, encoded, 0);
    if (splitName === 'train') welford?.add(encoded);
    if (cache !== undefined) {
      cache[splitName].push(encoded, example.label, example.subclass);
      if ((rows & 1023) === 0 && cache.train.byteLength + cache.validation.byteLength + cache.test.byteLength > cacheBytes) cache = undefined;
    } else {
      families.indexOf(example.subclass);
    }
    rows += 1;
    if ((rows & 1023) === 0) {
      throwIfAborted(signal, 'trainModel');
      await maybeYield();
    }
  }
  if (cache !== undefined && cache.train.byteLength + cache.validation.byteLength + cache.test.byteLength > cacheBytes) cache = undefined;
  throwIfAborted(signal, 'trainModel');
  const trainRows = split.train.legit + split.train.dga;
  const validationRows = split.validation.legit + split.validation.dga;
  if (options.testKeys !== undefined && split.test.legit + split.test.dga === 0) {
    throw new ModelError('ERR_MODEL_EMPTY_SPLIT', `trainModel: none of the ${options.testKeys.size} testKeys is the key of an example (${rows} examples); pass the examples' keys (their domain labels, as featurized).`);
  }
  if (trainRows === 0 || split.test.legit + split.test.dga === 0) {
    throw new ModelError('ERR_MODEL_EMPTY_SPLIT', `trainModel: ${rows} examples gave ${trainRows} training and ${split.test.legit + split.test.dga} test rows; provide more rows (at least a few dozen of each class).`);
  }
  if (split.train.legit === 0 || split.train.dga === 0) {
    throw new ModelError('ERR_MODEL_EMPTY_SPLIT', `trainModel: the training split has ${split.train.legit} legit and ${split.train.dga} DGA rows; both classes are needed.`);
  }
  const normalization = welford?.result();
  /** Standardizes one encoded row in place. */
  const standardize = (values: Float32Array, offset: number): void => {
    if (normalization === undefined) return;
    for (let index = 0; index < width; index += 1) {
      values[offset + index] = (values[offset + index]! - normalization.mean[index]!) / normalization.std[index]!;
    }
  };
  if (cache !== undefined && normalization !== undefined) {
    for (const rowsOfSplit of [cache.train, cache.validation]) {
      for (let row = 0; row < rowsOfSplit.length; row += 1) standardize(rowsOfSplit.features, row * width);
    }
  }
  const dataMode = cache === undefined ? 'stream' : 'memory';
  const backend = tf.getBackend();
  const stepsPerEpoch = Math.ceil(trainRows / batchSize);

  // ---- Model -----------------------------------------------------------------------------
  // Trained on standardized encoded rows; turned into the saved model (raw features in) at the end.
  const model = createNetwork({ preset, featureSet, seed, learningRate });
  let finalModel: tf.LayersModel | undefined;
  const optimizer = model.optimizer;
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const hiddenLayers = model.layers.slice(0, -1);
  const outputLayer = model.layers.at(-1)!;
  const [outputKernel, outputBias] = outputLayer.trainableWeights.map((weight) => weight.read());
  if (outputLayer.getClassName() !== 'Dense' || outputKernel === undefined || outputBias === undefined) {
    throw new ModelError('ERR_MODEL_INVALID_OPTION', 'trainModel: the model must end in a Dense softmax layer with a bias.');
  }
  const dropoutLayers = model.layers.filter((layer): layer is DropoutLike => layer.getClassName() === 'Dropout');
  const dropoutSeeds = dropoutLayers.map((layer) => layer.seed);
  const dropoutRng = createRng(deriveSeed(seed, 'dropout-steps'));
  const shuffleRng = createRng(deriveSeed(seed, 'shuffle'));
  let bestWeights: tf.Tensor[] | undefined;
  const disposeBest = (): void => {
    bestWeights?.forEach((tensor) => tensor.dispose());
    bestWeights = undefined;
  };

  /** The raw feature rows of one split, re-read from `examples()`. */
  const streamSplit = async function* (wanted: SplitName): AsyncGenerator<{ features: Float32Array; label: number; family: string }> {
    let count = 0;
    for await (const example of iterate(options.examples())) {
      count += 1;
      if ((count & 1023) === 0) {
        throwIfAborted(signal, 'trainModel');
        await maybeYield();
      }
      if (splitter.assign(example) !== wanted) continue;
      checkExample(example, size, count - 1, featureSet.name);
      yield { features: example.features, label: example.label, family: example.subclass };
    }
  };

  /** Batches of standardized encoded training rows for one epoch, shuffled with the seeded RNG. */
  const trainBatches = async function* (rng: Rng): AsyncGenerator<{ x: Float32Array; labels: Uint8Array; count: number }> {
    if (cache !== undefined) {
      const train = cache.train;
      const order = new Uint32Array(train.length);
      for (let index = 0; index < order.length; index += 1) order[index] = index;
      shuffleInPlace(order, rng);
      for (let start = 0; start < order.length; start += batchSize) {
        const count = Math.min(batchSize, order.length - start);
        const x = new Float32Array(count * width);
        const labels = new Uint8Array(count);
        for (let row = 0; row < count; row += 1) {
          const source = order[start + row]!;
          x.set(train.features.subarray(source * width, source * width + width), row * width);
          labels[row] = train.labels[source]!;
        }
        yield { x, labels, count };
      }
      return;
    }
    // Stream mode: a seeded shuffle buffer of packed, encoded, standardized rows.
    const capacity = Math.max(shuffleBufferRows, batchSize);
    const buffer = new Float32Array(capacity * width);
    const bufferLabels = new Uint8Array(capacity);
    let filled = 0;
    let x = new Float32Array(batchSize * width);
    let labels = new Uint8Array(batchSize);
    let count = 0;
    const emit = (slot: number): boolean => {
      x.set(buffer.subarray(slot * width, slot * width + width), count * width);
      labels[count] = bufferLabels[slot]!;
      count += 1;
      return count === batchSize;
    };
    const store = (slot: number, features: Float32Array, label: number): void => {
      encodeRow(features, size, encoding, buffer, slot * width);
      standardize(buffer, slot * width);
      bufferLabels[slot] = label;
    };
    for await (const row of streamSplit('train')) {
      if (filled < capacity) {
        store(filled, row.features, row.label);
        filled += 1;
        continue;
      }
      const slot = rng.nextInt(capacity);
      const full = emit(slot);
      store(slot, row.features, row.label);
      if (full) {
        yield { x, labels, count };
        x = new Float32Array(batchSize * width);
        labels = new Uint8Array(batchSize);
        count = 0;
      }
    }
    const rest = new Uint32Array(filled);
    for (let index = 0; index < filled; index += 1) rest[index] = index;
    shuffleInPlace(rest, rng);
    for (const slot of rest) {
      if (emit(slot)) {
        yield { x, labels, count };
        x = new Float32Array(batchSize * width);
        labels = new Uint8Array(batchSize);
        count = 0;
      }
    }
    if (count > 0) yield { x: x.subarray(0, count * width), labels: labels.subarray(0, count), count };
  };

  /**
   * P(DGA) of every row of a split, scored by `target`: the `network` in training takes
   * standardized encoded rows; the `final` saved model takes raw features.
   */
  const scoreSplit = async (wanted: SplitName, target: 'network' | 'final'): Promise<ScoredRows> => {
    const scorer = target === 'network' ? model : finalModel!;
    const columns = target === 'network' ? width : size;
    const scores: number[] = [];
    const labels: number[] = [];
    const familyNames: string[] = [];
    const x = new Float32Array(EVAL_BATCH * columns);
    const predictChunk = (count: number): void => {
      const output = tf.tidy(() => (scorer.predict(tf.tensor2d(x.subarray(0, count * columns), [count, columns])) as tf.Tensor).dataSync());
      for (let row = 0; row < count; row += 1) scores.push(output[row * 2 + 1]!);
    };
    if (cache !== undefined) {
      const packed = cache[wanted];
      const cachedStandardized = wanted !== 'test' && normalization !== undefined;
      for (let start = 0; start < packed.length; start += EVAL_BATCH) {
        const count = Math.min(EVAL_BATCH, packed.length - start);
        for (let row = 0; row < count; row += 1) {
          const from = (start + row) * width;
          for (let index = 0; index < columns; index += 1) {
            const value = packed.features[from + index]!;
            // Cached train/validation rows are standardized, test rows raw.
            x[row * columns + index] =
              normalization === undefined || cachedStandardized === (target === 'network')
                ? value
                : cachedStandardized
                  ? value * normalization.std[index]! + normalization.mean[index]!
                  : (value - normalization.mean[index]!) / normalization.std[index]!;
          }
          labels.push(packed.labels[start + row]!);
          familyNames.push(packed.family(start + row));
        }
        predictChunk(count);
        throwIfAborted(signal, 'trainModel');
        await maybeYield();
      }
    } else {
      let count = 0;
      for await (const row of streamSplit(wanted)) {
        if (target === 'network') {
          encodeRow(row.features, size, encoding, x, count * width);
          standardize(x, count * width);
        } else {
          x.set(row.features, count * size);
        }
        labels.push(row.label);
        familyNames.push(row.family);
        count += 1;
        if (count === EVAL_BATCH) {
          predictChunk(count);
          count = 0;
        }
      }
      if (count > 0) predictChunk(count);
    }
    return { scores: Float32Array.from(scores), labels: Uint8Array.from(labels), families: familyNames };
  };

  const regularizationLoss = (): number =>
    tf.tidy(() => model.calculateLosses().reduce((total, loss) => total + loss.dataSync()[0]!, 0));

  try {
    await callbacks?.onTrainBegin?.({
      type: 'train-begin',
      split,
      epochs,
      batchSize,
      stepsPerEpoch,
      backend,
      dataMode,
      scanSeconds: (now() - started) / 1000,
    });
    const history: EpochLog[] = [];
    // Lower is better for both monitors: the loss, and 1 − AUC.
    let bestMonitored = Number.POSITIVE_INFINITY;
    let bestEpoch = 0;
    let epochsWithoutImprovement = 0;
    let stoppedEarly = false;
    let totalSteps = 0;
    let totalStepMs = 0;
    const trainingStarted = now();
    const totalPlannedSteps = epochs * stepsPerEpoch;
    const adam = optimizer as unknown as { learningRate: number };
    const learningRateAt = (globalStep: number): number => {
      const schedule = preset.schedule;
      if (schedule.kind === 'constant') return learningRate;
      // Small datasets have few steps: warm up over at most a tenth of them.
      const warmupSteps = Math.min(schedule.warmupSteps, Math.floor(totalPlannedSteps / 10));
      if (globalStep < warmupSteps) return (learningRate * (globalStep + 1)) / warmupSteps;
      const progress = Math.min(1, (globalStep - warmupSteps) / Math.max(1, totalPlannedSteps - warmupSteps));
      return learningRate * (schedule.finalFraction + ((1 - schedule.finalFraction) * (1 + Math.cos(Math.PI * progress))) / 2);
    };
    for (let epoch = 1; epoch <= epochs; epoch += 1) {
      const epochStarted = now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let step = 0;
      for await (const batch of trainBatches(shuffleRng)) {
        const { x: batchX, labels, count } = batch;
        const oneHot = new Float32Array(count * 2);
        for (let row = 0; row < count; row += 1) oneHot[row * 2 + labels[row]!] = 1;
        for (const layer of dropoutLayers) layer.seed = dropoutRng.nextUint32() & 0x7fffffff;
        adam.learningRate = learningRateAt(totalSteps + step);
        let predictions: tf.Tensor | undefined;
        const xs = tf.tensor2d(batchX, [count, width]);
        const ys = tf.tensor2d(oneHot, [count, 2]);
        const lossTensor = optimizer.minimize(
          () => {
            // Keras (TensorFlow backend) computes categorical cross-entropy of a softmax layer
            // from its logits; tfjs's loss clips the probabilities to [1e-7, 1 - 1e-7], which
            // zeroes the gradient of confidently wrong rows. Match Keras: run the hidden layers,
            // then the output layer's kernel and bias without its softmax.
            let hidden: tf.Tensor = xs;
            for (const layer of hiddenLayers) hidden = layer.apply(hidden, { training: true }) as tf.Tensor;
            const logits = tf.add(tf.matMul(hidden, outputKernel), outputBias);
            predictions = tf.keep(logits);
            let loss = tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(ys, logits, undefined, undefined, tf.Reduction.MEAN);
            for (const penalty of model.calculateLosses()) loss = tf.add(loss, penalty);
            return loss;
          },
          true,
          variables,
        );
        xs.dispose();
        ys.dispose();
        // The cpu and tensorflow backends hold data in host memory: these reads are copies, not
        // device syncs.
        const lossValue = lossTensor!.dataSync()[0]!;
        lossTensor!.dispose();
        const output = predictions!.dataSync();
        predictions!.dispose();
        for (let row = 0; row < count; row += 1) {
          if ((output[row * 2 + 1]! > output[row * 2]! ? 1 : 0) === labels[row]) correct += 1;
        }
        lossSum += lossValue * count;
        seen += count;
        step += 1;
        if (!Number.isFinite(lossValue)) {
          throw new ModelError('ERR_MODEL_TRAINING_DIVERGED', `trainModel: the loss became ${lossValue} at epoch ${epoch}, step ${step}; check the examples for NaN/Infinity features or lower learningRate (now ${learningRate}).`);
        }
        if (signal?.aborted === true) throw new ModelAbortError('trainModel', { cause: signal.reason });
        if (step % batchEventInterval === 0 || step === stepsPerEpoch) {
          const elapsed = now() - trainingStarted;
          const doneSteps = (epoch - 1) * stepsPerEpoch + step;
          await callbacks?.onBatchEnd?.({
            type: 'batch-end',
            epoch,
            epochs,
            batch: step,
            stepsPerEpoch,
            loss: lossSum / seen,
            accuracy: correct / seen,
            etaSeconds: ((elapsed / doneSteps) * (epochs * stepsPerEpoch - doneSteps)) / 1000,
          });
        }
        if ((step & 31) === 0) await maybeYield();
      }
      const stepMs = now() - epochStarted;
      totalSteps += step;
      totalStepMs += stepMs;
      let valLoss: number | undefined;
      let valAccuracy: number | undefined;
      let valAuc: number | undefined;
      if (validationRows > 0) {
        const scored = await scoreSplit('validation', 'network');
        let crossEntropy = 0;
        let valCorrect = 0;
        for (let row = 0; row < scored.scores.length; row += 1) {
          const probability = Math.min(Math.max(scored.scores[row]!, 1e-7), 1 - 1e-7);
          crossEntropy -= scored.labels[row] === 1 ? Math.log(probability) : Math.log(1 - probability);
          if ((scored.scores[row]! > 0.5 ? 1 : 0) === scored.labels[row]) valCorrect += 1;
        }
        valLoss = crossEntropy / scored.scores.length + regularizationLoss();
        valAccuracy = valCorrect / scored.scores.length;
        valAuc = computeMetrics({ scores: scored.scores, labels: scored.labels }).rocAuc ?? undefined;
      }
      const monitored = preset.monitor === 'valAuc' ? 1 - (valAuc ?? Number.NaN) : (valLoss ?? Number.NaN);
      const improved = validationRows > 0 && monitored < bestMonitored;
      if (improved) {
        bestMonitored = monitored;
        bestEpoch = epoch;
        epochsWithoutImprovement = 0;
        if (patience !== undefined) {
          disposeBest();
          bestWeights = model.getWeights().map((weight) => weight.clone());
        }
      } else {
        epochsWithoutImprovement += 1;
      }
      if (validationRows === 0) bestEpoch = epoch;
      const seconds = (now() - epochStarted) / 1000;
      const log: EpochLog = { epoch, loss: lossSum / seen, accuracy: correct / seen, valLoss, valAccuracy, valAuc, seconds, msPerStep: stepMs / step };
      history.push(log);
      const elapsedSeconds = (now() - trainingStarted) / 1000;
      await callbacks?.onEpochEnd?.({ type: 'epoch-end', epochs, ...log, etaSeconds: (elapsedSeconds / epoch) * (epochs - epoch), improved });
      throwIfAborted(signal, 'trainModel');
      if (patience !== undefined && validationRows > 0 && epochsWithoutImprovement >= patience && epoch < epochs) {
        stoppedEarly = true;
        break;
      }
    }
    if (bestWeights !== undefined) {
      model.setWeights(bestWeights);
      disposeBest();
    } else {
      // Without early stopping the last epoch's weights are kept.
      bestEpoch = history.length;
    }
    dropoutLayers.forEach((layer, index) => {
      layer.seed = dropoutSeeds[index];
    });
    if (encoding === undefined) {
      if (normalization !== undefined) foldNormalization(model, normalization, size);
      finalModel = model;
    } else {
      const assembled = assembleEncodedModel(model, { preset, featureSet, seed, learningRate, encoding, normalization });
      model.dispose();
      finalModel = assembled;
    }
    const validation = validationRows > 0 ? await scoreSplit('validation', 'final') : { scores: new Float32Array(0), labels: new Uint8Array(0), families: [] };
    const test = await scoreSplit('test', 'final');
    const warnings: string[] = [];
    let lowest = Number.POSITIVE_INFINITY;
    let highest = Number.NEGATIVE_INFINITY;
    for (const score of test.scores) {
      lowest = Math.min(lowest, score);
      highest = Math.max(highest, score);
    }
    if (highest - lowest < 1e-6) {
      warnings.push(`the trained model gives every test row the same score (${highest.toFixed(6)}): it collapsed to a constant (dead ReLUs). Its ROC AUC is 0.5. Retrain with another seed (now ${seed}), more epochs, or the default preset.`);
    } else {
      // Nearly dead networks keep a sliver of variation (e.g. one barely alive unit) but rank no
      // better than chance.
      const rocAuc = computeMetrics(test).rocAuc;
      if (rocAuc !== null && rocAuc <= CHANCE_AUC) {
        warnings.push(`the trained model ranks the test rows no better than chance (ROC AUC ${rocAuc.toFixed(4)}; scores ${lowest.toFixed(6)}–${highest.toFixed(6)}): it has nearly collapsed to a constant (dead ReLUs). Retrain with another seed (now ${seed}), more epochs, or the default preset.`);
      }
    }
    return {
      model: finalModel,
      preset: options.preset,
      featureSet: { name: featureSet.name, version: featureSet.version, features: featureSet.features.map((feature) => feature.name) },
      seed,
      epochs,
      batchSize,
      learningRate,
      history,
      bestEpoch,
      stoppedEarly,
      split,
      normalization,
      test,
      validation,
      dataFingerprint: { sha256: hash.digest('hex'), rows },
      dataMode,
      backend,
      seconds: (now() - started) / 1000,
      msPerStep: totalStepMs / Math.max(totalSteps, 1),
      warnings,
    };
  } catch (error) {
    disposeBest();
    // Once assembled, the network is already disposed and `finalModel` is the one to free.
    (finalModel ?? model).dispose();
    throw error;
  }
}
