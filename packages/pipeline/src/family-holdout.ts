import { getFeatureSet, type FeatureSetName } from '@dga/features';
import {
  computeMetrics,
  isModelError,
  trainModel,
  type FamilyHoldoutProtocol,
  type FamilyHoldoutResult,
  type HoldoutFigures,
  type HoldoutFold,
  type PresetName,
  type ScoredRows,
  type TrainingExample,
} from '@dga/model';
import { chooseThreshold } from './choose-threshold';
import { assignFamilyFolds, assignLegitFolds, sampleFamilyRows, type LabelledKey } from './family-folds';

/** The protocol `dga train` runs by default: 5 folds of 2 epochs on at most 1,000 rows per family and 40 % of the legit labels. */
export const DEFAULT_FAMILY_HOLDOUT: FamilyHoldoutProtocol = { folds: 5, epochs: 2, maxTrainRowsPerFamily: 1000, legitTrainFraction: 0.4 };

/** Options of {@link evaluateFamilyHoldout}. */
export interface FamilyHoldoutOptions {
  preset: PresetName;
  featureSet: FeatureSetName;
  seed: number;
  protocol?: FamilyHoldoutProtocol;
  /** Each fold's threshold is chosen at this validation false-positive rate... */
  targetFpr: number | undefined;
  /** ...unless a fixed threshold is given (also the fallback without a validation split). */
  threshold: number;
  batchSize?: number;
  signal?: AbortSignal;
  /** Called after each fold. */
  onFold?(fold: HoldoutFold, folds: number): void;
}

/**
 * Family-held-out evaluation (group k-fold over DGA families): the families are split into folds
 * of about equal row count ({@link assignFamilyFolds}) and the distinct legit labels into as many
 * equal folds ({@link assignLegitFolds}); fold k trains the recipe on the other folds' families
 * and legit labels (a sample, per `protocol`) and scores its own families against its own legit
 * labels, none of which its model saw (a row sharing a label with a scored row is never trained
 * on). Reports ROC AUC and TPR at 0.1 % and 1 % FPR per fold and pooled over folds, and recall per
 * family at its fold's threshold. Deterministic from `seed` (no timings, so the same seed gives
 * the same result).
 *
 * Returns `{ status: 'skipped', reason }` instead of training when the rows cannot make two folds
 * (fewer than 2 DGA families, or fewer than 2 distinct legit labels) or a fold lacks a class.
 *
 * @example
 * const holdout = await evaluateFamilyHoldout(rows, { preset: 'default', featureSet: 'bigram', seed: 42, targetFpr: 0.01, threshold: 0.5 });
 * if (holdout.status === 'done') console.log(holdout.pooled.rocAuc);
 */
export async function evaluateFamilyHoldout(rows: readonly LabelledKey[], options: FamilyHoldoutOptions): Promise<FamilyHoldoutResult> {
  const protocol = options.protocol ?? DEFAULT_FAMILY_HOLDOUT;
  const { seed } = options;
  const familySizes = new Map<string, number>();
  const legitKeys: string[] = [];
  for (const row of rows) {
    if (row.label === 1) familySizes.set(row.subclass, (familySizes.get(row.subclass) ?? 0) + 1);
    else legitKeys.push(row.key);
  }
  const distinctLegit = new Set(legitKeys).size;
  if (familySizes.size < 2) {
    const found = familySizes.size === 0 ? 'none' : `1 (${[...familySizes.keys()][0]})`;
    return { status: 'skipped', reason: `needs at least 2 DGA families in the subclass column to hold one out, found ${found}` };
  }
  if (distinctLegit < 2) {
    return { status: 'skipped', reason: `needs at least 2 distinct legit labels to score held-out families against unseen legit rows, found ${distinctLegit}` };
  }
  const folds = Math.min(protocol.folds, familySizes.size, distinctLegit);
  const familyFold = assignFamilyFolds(familySizes, folds, seed);
  const legit = assignLegitFolds(legitKeys, folds, seed, protocol.legitTrainFraction);
  const trainableDga = sampleFamilyRows(rows, protocol.maxTrainRowsPerFamily, seed);
  const foldOf = (row: LabelledKey): number => (row.label === 1 ? familyFold.get(row.subclass)! : legit.fold.get(row.key)!);
  const featureSet = getFeatureSet(options.featureSet);

  const results: HoldoutFold[] = [];
  const pooled: ScoredRows[] = [];
  const perFamily: Record<string, { fold: number; count: number; recall: number }> = {};
  for (let fold = 0; fold < folds; fold += 1) {
    const testKeys = new Set<string>();
    for (const row of rows) if (foldOf(row) === fold) testKeys.add(row.key);
    const selected = rows.filter((row, index) =>
      testKeys.has(row.key) ? foldOf(row) === fold : row.label === 1 ? trainableDga.has(index) : legit.inTrainingSample.has(row.key),
    );
    function* examples(): Generator<TrainingExample> {
      for (const row of selected) {
        const features = new Float32Array(featureSet.size);
        featureSet.compute(row.key, features, 0);
        yield { features, label: row.label, subclass: row.subclass, key: row.key };
      }
    }
    let trained;
    try {
      trained = await trainModel({
        preset: options.preset,
        featureSet: options.featureSet,
        examples,
        seed,
        epochs: protocol.epochs,
        testKeys,
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (isModelError(error) && error.code === 'ERR_MODEL_EMPTY_SPLIT') {
        return { status: 'skipped', reason: `fold ${fold + 1} of ${folds} has too few rows to train on: ${error.message}` };
      }
      throw error;
    }
    try {
      const threshold = options.targetFpr === undefined ? options.threshold : chooseThreshold(trained.validation, options.targetFpr, options.threshold).threshold;
      const metrics = computeMetrics({ ...trained.test, threshold });
      const families = [...familySizes.keys()].filter((family) => familyFold.get(family) === fold).sort();
      for (const family of families) {
        const entry = metrics.perFamily[family];
        if (entry !== undefined) perFamily[family] = { fold: fold + 1, ...entry };
      }
      const result: HoldoutFold = {
        fold: fold + 1,
        families,
        trainRows: trained.split.train.legit + trained.split.train.dga + trained.split.validation.legit + trained.split.validation.dga,
        threshold,
        ...figuresOf(trained.test),
        legitPassed: metrics.perFamily['legit']?.recall ?? 0,
      };
      results.push(result);
      pooled.push(trained.test);
      options.onFold?.(result, folds);
    } finally {
      trained.model.dispose();
    }
  }
  const sortedPerFamily: typeof perFamily = {};
  for (const family of Object.keys(perFamily).sort()) sortedPerFamily[family] = perFamily[family]!;
  return {
    status: 'done',
    protocol: { ...protocol, folds, seed, targetFpr: options.targetFpr ?? null },
    pooled: figuresOf(concatScored(pooled)),
    folds: results,
    perFamily: sortedPerFamily,
  };
}

function figuresOf(scored: ScoredRows): HoldoutFigures {
  const metrics = computeMetrics({ scores: scored.scores, labels: scored.labels });
  const dga = metrics.confusion.tp + metrics.confusion.fn;
  return { rows: { legit: metrics.rows - dga, dga }, rocAuc: metrics.rocAuc, operatingPoints: metrics.operatingPoints };
}

function concatScored(parts: readonly ScoredRows[]): ScoredRows {
  const total = parts.reduce((sum, part) => sum + part.scores.length, 0);
  const scores = new Float32Array(total);
  const labels = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    scores.set(part.scores, offset);
    labels.set(part.labels, offset);
    offset += part.scores.length;
  }
  return { scores, labels, families: parts.flatMap((part) => part.families) };
}
