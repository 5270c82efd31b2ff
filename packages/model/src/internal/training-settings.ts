import type { FeatureSet } from '@dga/features';
import { DEFAULT_SEED } from '../create-model';
import { ModelError } from '../errors';
import { getPreset, presetNames, type PresetSpec } from '../presets';
import type { TrainModelOptions } from '../train-model';

/** The options of a `trainModel` run with every default filled in. */
export interface TrainingSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  testFraction: number;
  validationFraction: number;
  /** Undefined: no early stopping. */
  patience: number | undefined;
  cacheBytes: number;
  shuffleBufferRows: number;
  batchEventInterval: number;
}

/** Throws `ERR_MODEL_INVALID_OPTION` naming the first invalid option. */
export function validateOptions(options: TrainModelOptions): void {
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
  // The fractions the run will use: each option, else the preset's.
  const preset = getPreset(options.preset);
  const test = options.testFraction ?? preset.testFraction;
  const validation = options.validationFraction ?? preset.validationFraction;
  if (!(test > 0 && test < 1)) fail(`testFraction must be in (0, 1), got ${test}.`);
  if (!(validation >= 0 && validation < 1) || test + validation >= 1) fail(`validationFraction must be >= 0 and leave rows for training (testFraction + validationFraction < 1), got ${validation}.`);
}

/** The settings of a run: each option, else the preset's value for the feature set, else the default. */
export function resolveTrainingSettings(options: TrainModelOptions, preset: PresetSpec, featureSet: FeatureSet): TrainingSettings {
  return {
    seed: options.seed ?? DEFAULT_SEED,
    epochs: options.epochs ?? preset.epochsByFeatureSet?.[featureSet.name] ?? preset.epochs,
    batchSize: options.batchSize ?? preset.batchSize,
    learningRate: options.learningRate ?? preset.learningRate,
    testFraction: options.testFraction ?? preset.testFraction,
    validationFraction: options.validationFraction ?? preset.validationFraction,
    patience: options.patience === undefined ? preset.patience : (options.patience ?? undefined),
    cacheBytes: options.cacheBytes ?? 256 * 2 ** 20,
    shuffleBufferRows: options.shuffleBufferRows ?? 16384,
    batchEventInterval: options.batchEventInterval ?? 200,
  };
}
