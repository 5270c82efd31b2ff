import { ModelError } from './errors';

/** Input of {@link computeMetrics}: one score and one label per row. */
export interface MetricsInput {
  /** P(DGA) per row, e.g. `output[:, 1]` of the model. */
  scores: ArrayLike<number>;
  /** 0 = legit, 1 = DGA, aligned with `scores`. */
  labels: ArrayLike<number>;
  /** Subclass per row (`legit` or the DGA family), for per-family recall. */
  families?: readonly string[];
  /**
   * A row is predicted DGA when `score >= threshold`.
   * @default 0.5
   */
  threshold?: number;
  /**
   * False-positive rates to report an {@link OperatingPoint} for, each in (0, 1).
   * @default DEFAULT_TARGET_FPRS (0.001 and 0.01)
   */
  targetFprs?: readonly number[];
}

/** The false-positive rates every evaluation reports an operating point for: 0.1 % and 1 %. */
export const DEFAULT_TARGET_FPRS: readonly number[] = [0.001, 0.01];

/**
 * The best detector at an affordable false-positive rate: the lowest threshold among the observed
 * scores whose false-positive rate (`score >= threshold` on legit rows) stays at or below
 * `targetFpr`, and the true-positive rate (DGA recall) there.
 */
export interface OperatingPoint {
  targetFpr: number;
  /**
   * `null` when no observed score keeps the false-positive rate at or below the target (even the
   * highest score flags too many legit rows), or when the rows hold only one class.
   */
  threshold: number | null;
  /** DGA recall at `threshold`; 0 when `threshold` is null and both classes are present; null with one class. */
  tpr: number | null;
  /** The false-positive rate reached at `threshold` (at most `targetFpr`); null with one class. */
  fpr: number | null;
}

/** Confusion matrix at the chosen threshold, DGA being the positive class. */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Binary-classification metrics at one threshold, plus threshold-free ROC AUC. */
export interface Metrics {
  rows: number;
  threshold: number;
  accuracy: number;
  /** tp / (tp + fp); 0 when nothing is predicted DGA. */
  precision: number;
  /** tp / (tp + fn); 0 when there is no DGA row. */
  recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  f1: number;
  /**
   * Area under the ROC curve, ties counted as half (Mann–Whitney U with mid-ranks). `null` when
   * the rows hold only one class, where ROC AUC is undefined (JSON has no NaN).
   */
  rocAuc: number | null;
  confusion: Confusion;
  /**
   * Per family: its row count and the share classified correctly at `threshold`, i.e. the
   * recall of that DGA family, and for `legit` the true-negative rate. Keys sorted.
   */
  perFamily: Record<string, { count: number; recall: number }>;
  /**
   * The threshold among the observed scores that maximizes F1 (ties: the highest such threshold),
   * and that F1. `{ threshold: null, f1: 0 }` when there is no DGA row.
   */
  bestThreshold: { threshold: number | null; f1: number };
  /** One {@link OperatingPoint} per target false-positive rate (`targetFprs`), in that order. */
  operatingPoints: OperatingPoint[];
}

function f1Of(tp: number, fp: number, fn: number): number {
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/**
 * Accuracy, precision, recall, F1, ROC AUC, the confusion matrix, per-family recall, the
 * F1-maximizing threshold and the operating points at fixed false-positive rates of scored rows. O(n log n); scores must be finite.
 *
 * @example
 * computeMetrics({ scores: [0.9, 0.2, 0.6], labels: [1, 0, 0] });
 * // → { accuracy: 2/3, precision: 0.5, recall: 1, f1: 2/3, rocAuc: 1, ... }
 */
export function computeMetrics(input: MetricsInput): Metrics {
  const { scores, labels, families } = input;
  const threshold = input.threshold ?? 0.5;
  const rows = scores.length;
  if (labels.length !== rows || (families !== undefined && families.length !== rows)) {
    throw new ModelError('ERR_MODEL_INVALID_METRICS_INPUT', `computeMetrics: got ${rows} scores, ${labels.length} labels${families === undefined ? '' : ` and ${families.length} families`}; pass one of each per row.`);
  }
  if (!Number.isFinite(threshold)) {
    throw new ModelError('ERR_MODEL_INVALID_METRICS_INPUT', `computeMetrics: threshold must be a finite number, got ${threshold}.`);
  }
  const targetFprs = input.targetFprs ?? DEFAULT_TARGET_FPRS;
  for (const target of targetFprs) {
    if (!(target > 0 && target < 1)) {
      throw new ModelError('ERR_MODEL_INVALID_METRICS_INPUT', `computeMetrics: target false-positive rate ${target} is not between 0 and 1 (exclusive); pass e.g. 0.01 for 1 %.`);
    }
  }
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const familyCounts = new Map<string, { count: number; correct: number }>();
  for (let index = 0; index < rows; index += 1) {
    const score = scores[index]!;
    const label = labels[index]!;
    if (!Number.isFinite(score)) {
      throw new ModelError('ERR_MODEL_INVALID_METRICS_INPUT', `computeMetrics: score of row ${index} is ${score}; scores must be finite probabilities (check the model for NaN outputs).`);
    }
    if (label !== 0 && label !== 1) {
      throw new ModelError('ERR_MODEL_INVALID_METRICS_INPUT', `computeMetrics: label of row ${index} is ${label}; labels must be 0 (legit) or 1 (DGA).`);
    }
    const predicted = score >= threshold ? 1 : 0;
    if (label === 1) {
      if (predicted === 1) tp += 1;
      else fn += 1;
    } else if (predicted === 1) fp += 1;
    else tn += 1;
    if (families !== undefined) {
      const family = families[index]!;
      const entry = familyCounts.get(family) ?? { count: 0, correct: 0 };
      entry.count += 1;
      if (predicted === label) entry.correct += 1;
      familyCounts.set(family, entry);
    }
  }
  const perFamily: Record<string, { count: number; recall: number }> = {};
  for (const family of [...familyCounts.keys()].sort()) {
    const entry = familyCounts.get(family)!;
    perFamily[family] = { count: entry.count, recall: entry.correct / entry.count };
  }
  const positives = tp + fn;
  const negatives = fp + tn;

  // Sort row indices by score descending; walk groups of equal scores.
  const order = new Uint32Array(rows);
  for (let index = 0; index < rows; index += 1) order[index] = index;
  order.sort((left, right) => scores[right]! - scores[left]!);
  let rocArea = 0;
  let cumulativeTp = 0;
  let cumulativeFp = 0;
  let best: { threshold: number | null; f1: number } = { threshold: null, f1: 0 };
  const operatingPoints: OperatingPoint[] = targetFprs.map((targetFpr) =>
    positives === 0 || negatives === 0 ? { targetFpr, threshold: null, tpr: null, fpr: null } : { targetFpr, threshold: null, tpr: 0, fpr: 0 },
  );
  let start = 0;
  while (start < rows) {
    const score = scores[order[start]!]!;
    let groupTp = 0;
    let groupFp = 0;
    let end = start;
    while (end < rows && scores[order[end]!]! === score) {
      if (labels[order[end]!] === 1) groupTp += 1;
      else groupFp += 1;
      end += 1;
    }
    // Each negative in the group is outranked by every positive seen so far (a correctly ordered
    // pair) and ties with the group's positives (half a pair each).
    rocArea += groupFp * (cumulativeTp + groupTp / 2);
    cumulativeTp += groupTp;
    cumulativeFp += groupFp;
    const f1 = f1Of(cumulativeTp, cumulativeFp, positives - cumulativeTp);
    if (f1 > best.f1) best = { threshold: score, f1 };
    // The false-positive rate only grows as the threshold falls: the last group within a target is its lowest threshold.
    if (positives > 0 && negatives > 0) {
      for (const point of operatingPoints) {
        if (cumulativeFp / negatives <= point.targetFpr) {
          point.threshold = score;
          point.tpr = cumulativeTp / positives;
          point.fpr = cumulativeFp / negatives;
        }
      }
    }
    start = end;
  }
  const rocAuc = positives === 0 || negatives === 0 ? null : rocArea / (positives * negatives);

  return {
    rows,
    threshold,
    accuracy: rows === 0 ? 0 : (tp + tn) / rows,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: positives === 0 ? 0 : tp / positives,
    f1: f1Of(tp, fp, fn),
    rocAuc,
    confusion: { tp, fp, tn, fn },
    perFamily,
    bestThreshold: best,
    operatingPoints,
  };
}
