import * as tf from '@tensorflow/tfjs';
import { VERSION as FEATURES_VERSION } from '@dga/features';
import type { FeatureSetName, PslMode } from '@dga/features';
import { computeMetrics, type Metrics } from './compute-metrics';
import type { FamilyHoldoutResult } from './family-holdout-result';
import { getPreset, type PresetName } from './presets';
import type { SplitCounts, TrainResult } from './train-model';
import { VERSION } from './version';

/** Current `schemaVersion` of `model-card.json`. */
export const MODEL_CARD_SCHEMA_VERSION = 1;

/**
 * How the training rows were read from their dataset: what was left out and why, and how the
 * labels were obtained (`@dga/dataset`'s `stats` fit).
 */
export interface DatasetReadReport {
  /** Data lines skipped, every reason. */
  skipped: number;
  /** Skipped lines per reason (`invalid-class`, `line-too-long`, `empty-subclass`, ...). */
  skippedByReason: Record<string, number>;
  /** Rows whose label, computed from the host as classification does, differs from their `domain` column. */
  labelDisagreements: number;
  /** Rows labelled from the `domain` column because their host gave no label. */
  labelsFromDomain: number;
}

/** The metadata saved next to a model as `model-card.json`. */
export interface ModelCard {
  schemaVersion: number;
  preset: PresetName;
  seed: number;
  featureSet: { name: FeatureSetName; version: number; features: string[] };
  /** Output index → class. Always `{ "0": "legit", "1": "dga" }`. */
  labels: { '0': 'legit'; '1': 'dga' };
  /**
   * The `length` flags the model computes in its frozen first layer (`[length ≥ k]` for
   * k = 2…maxLength; informational: the model takes raw features), or null.
   */
  lengthEncoding: { feature: 'length'; maxLength: number } | null;
  /**
   * The Public Suffix List rules the training labels were extracted with (`all`: ICANN and
   * private; `icann`: ICANN only). Absent in older cards and when not given: `all`.
   */
  pslMode?: PslMode;
  /**
   * Standardization folded into the first trainable layer (informational: the model takes raw
   * features), one value per network input: the features, then the length flags.
   */
  normalization: { mean: number[]; std: number[] } | null;
  training: {
    epochs: number;
    epochsRun: number;
    bestEpoch: number;
    batchSize: number;
    learningRate: number;
    stoppedEarly: boolean;
    seconds: number;
    msPerStep: number;
    dataMode: 'memory' | 'stream';
  };
  /**
   * SHA-256 and row count of the training data; `read` says what reading the dataset skipped
   * (absent when the examples did not come from a dataset file, and in older cards).
   */
  data: { sha256: string; rows: number; split: SplitCounts; read?: DatasetReadReport };
  /** Metrics on the held-out test split at the model's threshold (`metrics.threshold`), with its operating points. */
  metrics: Metrics;
  /**
   * The validation false-positive rate the threshold was chosen for (`dga train --target-fpr`);
   * absent when the threshold was given, and in older cards.
   */
  targetFpr?: number;
  /**
   * How the recipe does on DGA families it never saw (group k-fold over families), or why that
   * was skipped. Absent in older cards and when not run.
   */
  familyHoldout?: FamilyHoldoutResult;
  /** `tf.getBackend()` during training, e.g. `cpu` or `tensorflow`. */
  backend: string;
  packages: Record<string, string>;
  /** {@link TrainResult.warnings} of the run. */
  warnings: string[];
}

/**
 * Builds the model card of a training run, with test-split metrics at `threshold` (and the
 * `targetFpr` it was chosen for) and, when given, the {@link DatasetReadReport} of the dataset the
 * examples were read from and the family-held-out evaluation of the recipe.
 *
 * @example
 * const rows = readDataset('dga-training.csv');
 * const result = await trainModel({ ...options, examples: () => streamTrainingExamples(rows, 'bigram') });
 * const { skipped, skippedByCode, labelDisagreements, labelsFromDomain } = rows.stats;
 * const card = createModelCard(result, { read: { skipped, skippedByReason: skippedByCode, labelDisagreements, labelsFromDomain } });
 * await saveModel(result.model, 'runs/latest/tfjs', card);
 */
export function createModelCard(
  result: TrainResult,
  options?: { threshold?: number; targetFpr?: number; read?: DatasetReadReport; pslMode?: PslMode; familyHoldout?: FamilyHoldoutResult },
): ModelCard {
  const { lengthEncoding } = getPreset(result.preset);
  return {
    schemaVersion: MODEL_CARD_SCHEMA_VERSION,
    preset: result.preset,
    seed: result.seed,
    featureSet: { name: result.featureSet.name, version: result.featureSet.version, features: [...result.featureSet.features] },
    labels: { '0': 'legit', '1': 'dga' },
    lengthEncoding: lengthEncoding === undefined ? null : { feature: 'length', maxLength: lengthEncoding.maxLength },
    ...(options?.pslMode === undefined ? {} : { pslMode: options.pslMode }),
    normalization: result.normalization === undefined ? null : { mean: Array.from(result.normalization.mean), std: Array.from(result.normalization.std) },
    training: {
      epochs: result.epochs,
      epochsRun: result.history.length,
      bestEpoch: result.bestEpoch,
      batchSize: result.batchSize,
      learningRate: result.learningRate,
      stoppedEarly: result.stoppedEarly,
      seconds: result.seconds,
      msPerStep: result.msPerStep,
      dataMode: result.dataMode,
    },
    data: { ...result.dataFingerprint, split: result.split, ...(options?.read === undefined ? {} : { read: options.read }) },
    metrics: computeMetrics({ ...result.test, threshold: options?.threshold ?? 0.5 }),
    ...(options?.targetFpr === undefined ? {} : { targetFpr: options.targetFpr }),
    ...(options?.familyHoldout === undefined ? {} : { familyHoldout: options.familyHoldout }),
    backend: result.backend,
    warnings: [...result.warnings],
    packages: { '@dga/features': FEATURES_VERSION, '@dga/model': VERSION, '@tensorflow/tfjs': tf.version.tfjs },
  };
}
