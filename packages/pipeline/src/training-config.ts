import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { featureSetNames, type FeatureSetName, type PslMode } from '@dga/features';
import type { FamilyHoldoutProtocol } from '@dga/model';

/** The model presets (mirrors `@dga/model`'s `PresetName`). */
export type TrainingPreset = 'tutorial' | 'default' | 'ngram' | 'char' | 'char-average';

/** The preset names a config accepts (a literal list: reading a config must not load tfjs). */
const trainingPresets: readonly TrainingPreset[] = ['tutorial', 'default', 'ngram', 'char', 'char-average'];

/**
 * A training run, as read from a JSON config file and overridden by the app's settings. Every
 * field is optional except `out`; defaults come from the preset.
 *
 * @example
 * { "dataset": "../shared/data/dga-training.csv", "preset": "default", "epochs": 20, "seed": 42,
 *   "out": "runs/latest", "register": { "name": "dga_classifier_bigram" } }
 */
export interface TrainingConfig {
  /** Dataset file or http(s) URL. @default the app's default (`RunTrainingOptions.datasetEnv`), else the tutorial's dataset URL */
  dataset?: string;
  /** @default 'default' */
  preset?: TrainingPreset;
  /**
   * Public Suffix List rules of the labels: `'all'` (ICANN + PRIVATE) or `'icann'` (ICANN only),
   * for a Devo domain whose `rootsuffix` ignores the private section. Recorded as `dga.psl_mode`.
   * @default 'all'
   */
  psl?: PslMode;
  /** @default the preset's (`tutorial` → tutorial, `default` → bigram, `ngram` → ngram, `char` and `char-average` → char) */
  featureSet?: FeatureSetName;
  /** @default the preset's */
  epochs?: number;
  /** @default the preset's */
  batchSize?: number;
  /** @default 42 */
  seed?: number;
  /**
   * A fixed decision threshold for metrics and verdicts, instead of one chosen at `targetFpr`.
   * Give one of the two. @default chosen at `targetFpr`
   */
  threshold?: number;
  /**
   * The false-positive rate the decision threshold is chosen for, in (0, 1): the lowest threshold
   * that flags at most this share of the validation split's legit rows. Recorded in the model
   * (`dga.threshold`, `dga.target_fpr`); without a validation split (the `tutorial` preset) the
   * threshold stays 0.5 and the run says so. @default 0.01
   */
  targetFpr?: number;
  /**
   * Family-held-out evaluation (group k-fold over DGA families): `false` skips it; an object
   * overrides parts of the protocol (`folds`, `epochs`, `maxTrainRowsPerFamily`,
   * `legitTrainFraction`). @default true (5 folds of 2 epochs, at most 1,000 rows per family, 40 % of the legit labels)
   */
  familyHoldout?: boolean | Partial<FamilyHoldoutProtocol>;
  /** The run directory. */
  out: string;
  /** Where downloaded datasets are cached. @default `~/.cache/dga` */
  cacheDir?: string;
  /** Fail on the first malformed dataset line instead of skipping it. @default false */
  strict?: boolean;
  /**
   * Fail when more dataset lines than this are malformed and skipped. @default undefined: fail
   * when more than 10 % of the lines are
   */
  maxSkippedRows?: number;
  /** Register the exported model in Devo's Model Manager under this name. */
  register?: { name: string; description?: string; force?: boolean };
  /** The Devo query printed at the end. */
  query?: { table?: string; field?: string; fieldKind?: 'url' | 'host'; domain?: string; modelName?: string };
}

const keys = new Set(['dataset', 'preset', 'psl', 'featureSet', 'epochs', 'batchSize', 'seed', 'threshold', 'targetFpr', 'familyHoldout', 'out', 'cacheDir', 'strict', 'maxSkippedRows', 'register', 'query', '$schema']);

const queryKeys = ['table', 'field', 'fieldKind', 'domain', 'modelName'];

const configErrorMarker = Symbol.for('dga.pipeline.error.training-config');

/**
 * A config problem: names the file, the key and the fix. Use {@link TrainingConfigError.isInstance}
 * rather than `instanceof` (two installed copies of the package would break `instanceof`).
 *
 * @example
 * try { loadTrainingConfigFile('train.json'); }
 * catch (error) { if (TrainingConfigError.isInstance(error)) console.error(error.message); }
 */
export class TrainingConfigError extends Error {
  readonly code = 'ERR_TRAINER_CONFIG' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrainingConfigError';
    Object.defineProperty(this, configErrorMarker, { value: true });
  }

  /** True for a `TrainingConfigError`, even from another copy of this package. */
  static isInstance(error: unknown): error is TrainingConfigError {
    return typeof error === 'object' && error !== null && configErrorMarker in error;
  }
}

function positiveInteger(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TrainingConfigError(`${where}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function familyHoldoutOf(value: unknown, where: string): boolean | Partial<FamilyHoldoutProtocol> {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TrainingConfigError(`${where}: "familyHoldout" must be true, false or an object with folds, epochs, maxTrainRowsPerFamily, legitTrainFraction`);
  }
  const input = value as Record<string, unknown>;
  const result: Partial<FamilyHoldoutProtocol> = {};
  for (const key of Object.keys(input)) {
    const item = input[key];
    if (key === 'folds') {
      result.folds = positiveInteger(item, `${where}: "familyHoldout.folds"`);
      if (result.folds < 2) throw new TrainingConfigError(`${where}: "familyHoldout.folds" must be at least 2`);
    } else if (key === 'epochs') result.epochs = positiveInteger(item, `${where}: "familyHoldout.epochs"`);
    else if (key === 'maxTrainRowsPerFamily') result.maxTrainRowsPerFamily = item === null ? null : positiveInteger(item, `${where}: "familyHoldout.maxTrainRowsPerFamily" (or null for all)`);
    else if (key === 'legitTrainFraction') {
      if (typeof item !== 'number' || !(item > 0 && item <= 1)) throw new TrainingConfigError(`${where}: "familyHoldout.legitTrainFraction" must be a number in (0, 1]`);
      result.legitTrainFraction = item;
    } else throw new TrainingConfigError(`${where}: unknown key "familyHoldout.${key}" (known: folds, epochs, maxTrainRowsPerFamily, legitTrainFraction)`);
  }
  return result;
}

/**
 * Checks a config object (from a file or built from flags) and returns it typed. Relative
 * `dataset`, `out` and `cacheDir` paths are resolved against `baseDir`; URLs are left alone.
 */
export function validateTrainingConfig(raw: unknown, where: string, baseDir: string): TrainingConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TrainingConfigError(`${where}: expected a JSON object`);
  }
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!keys.has(key)) throw new TrainingConfigError(`${where}: unknown key "${key}" (known: ${[...keys].filter((name) => name !== '$schema').join(', ')})`);
  }
  const config: Partial<TrainingConfig> = {};
  const path = (value: unknown, key: string): string => {
    if (typeof value !== 'string' || value.trim() === '') throw new TrainingConfigError(`${where}: "${key}" must be a non-empty string`);
    return /^https?:\/\//i.test(value) ? value : resolve(baseDir, value);
  };
  if (input['dataset'] !== undefined) config.dataset = path(input['dataset'], 'dataset');
  if (input['out'] !== undefined) config.out = path(input['out'], 'out');
  if (input['cacheDir'] !== undefined) config.cacheDir = path(input['cacheDir'], 'cacheDir');
  if (input['preset'] !== undefined) {
    const preset = input['preset'];
    if (typeof preset !== 'string' || !trainingPresets.includes(preset as TrainingPreset)) {
      throw new TrainingConfigError(`${where}: "preset" must be one of ${trainingPresets.map((name) => `"${name}"`).join(', ')}, got ${JSON.stringify(preset)}`);
    }
    config.preset = preset as TrainingPreset;
  }
  if (input['psl'] !== undefined) {
    if (input['psl'] !== 'all' && input['psl'] !== 'icann') throw new TrainingConfigError(`${where}: "psl" must be "all" or "icann"`);
    config.psl = input['psl'];
  }
  if (input['featureSet'] !== undefined) {
    if (!(featureSetNames as readonly unknown[]).includes(input['featureSet'])) {
      throw new TrainingConfigError(`${where}: "featureSet" must be one of ${featureSetNames.join(', ')}`);
    }
    config.featureSet = input['featureSet'] as FeatureSetName;
  }
  if (input['epochs'] !== undefined) config.epochs = positiveInteger(input['epochs'], `${where}: "epochs"`);
  if (input['batchSize'] !== undefined) config.batchSize = positiveInteger(input['batchSize'], `${where}: "batchSize"`);
  if (input['seed'] !== undefined) {
    const seed = input['seed'];
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) {
      throw new TrainingConfigError(`${where}: "seed" must be a non-negative integer`);
    }
    config.seed = seed;
  }
  if (input['threshold'] !== undefined) {
    const threshold = input['threshold'];
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
      throw new TrainingConfigError(`${where}: "threshold" must be a number between 0 and 1`);
    }
    config.threshold = threshold;
  }
  if (input['targetFpr'] !== undefined) {
    const target = input['targetFpr'];
    if (typeof target !== 'number' || !(target > 0 && target < 1)) {
      throw new TrainingConfigError(`${where}: "targetFpr" must be a number between 0 and 1 (exclusive), e.g. 0.01 for 1 %; got ${JSON.stringify(target)}`);
    }
    if (config.threshold !== undefined) {
      throw new TrainingConfigError(`${where}: give "threshold" (a fixed threshold) or "targetFpr" (a threshold chosen at that false-positive rate), not both`);
    }
    config.targetFpr = target;
  }
  if (input['familyHoldout'] !== undefined) config.familyHoldout = familyHoldoutOf(input['familyHoldout'], where);
  if (input['strict'] !== undefined) {
    if (typeof input['strict'] !== 'boolean') throw new TrainingConfigError(`${where}: "strict" must be true or false`);
    config.strict = input['strict'];
  }
  if (input['maxSkippedRows'] !== undefined) {
    const limit = input['maxSkippedRows'];
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
      throw new TrainingConfigError(`${where}: "maxSkippedRows" must be a non-negative integer`);
    }
    config.maxSkippedRows = limit;
  }
  if (input['register'] !== undefined) {
    const register = input['register'] as Record<string, unknown>;
    if (typeof register !== 'object' || register === null || typeof register['name'] !== 'string' || register['name'] === '') {
      throw new TrainingConfigError(`${where}: "register" must be an object with a non-empty "name"`);
    }
    config.register = { name: register['name'] };
    if (typeof register['description'] === 'string') config.register.description = register['description'];
    if (register['force'] === true) config.register.force = true;
  }
  if (input['query'] !== undefined) {
    const query = input['query'];
    if (typeof query !== 'object' || query === null) throw new TrainingConfigError(`${where}: "query" must be an object`);
    for (const [key, value] of Object.entries(query)) {
      if (!queryKeys.includes(key)) throw new TrainingConfigError(`${where}: unknown key "query.${key}" (known: ${queryKeys.join(', ')})`);
      if (typeof value !== 'string' || value === '') throw new TrainingConfigError(`${where}: "query.${key}" must be a non-empty string`);
    }
    const fieldKind = (query as Record<string, unknown>)['fieldKind'];
    if (fieldKind !== undefined && fieldKind !== 'url' && fieldKind !== 'host') throw new TrainingConfigError(`${where}: "query.fieldKind" must be "url" or "host"`);
    config.query = query;
  }
  if (config.out === undefined) throw new TrainingConfigError(`${where}: "out" (the run directory) is required`);
  return config as TrainingConfig;
}

/** Reads a JSON training config file; relative paths inside are relative to the file. */
export function loadTrainingConfigFile(file: string): Partial<TrainingConfig> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TrainingConfigError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TrainingConfigError(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const withOut = { out: '.', ...(raw as object) };
  const config = validateTrainingConfig(withOut, file, dirname(resolve(file)));
  const result: Partial<TrainingConfig> = { ...config };
  if ((raw as Record<string, unknown>)['out'] === undefined) delete result.out;
  return result;
}
