import { computeMetrics, type ScoredRows } from '@dga/model';

/** The decision threshold of a model, and whether it was chosen at the target false-positive rate. */
export interface ChosenThreshold {
  threshold: number;
  /** True when `threshold` was chosen on the validation rows; false when `fallback` was kept. */
  chosen: boolean;
  /** Why the fallback was kept (undefined when chosen). */
  note?: string;
}

/**
 * The lowest threshold whose false-positive rate on the validation rows stays at or below
 * `targetFpr` (see `computeMetrics`' operating points). Without validation rows of both classes
 * the `fallback` is kept, and when even the highest validation score is a legit row (no
 * threshold reaches the target) the threshold is 1 (almost nothing is flagged); `note` says so.
 */
export function chooseThreshold(validation: ScoredRows, targetFpr: number, fallback: number): ChosenThreshold {
  const [point] = computeMetrics({ scores: validation.scores, labels: validation.labels, targetFprs: [targetFpr] }).operatingPoints;
  if (point === undefined || point.tpr === null) {
    return { threshold: fallback, chosen: false, note: `no validation split with both classes to choose the threshold at ${targetFpr} false-positive rate; threshold ${fallback} kept` };
  }
  if (point.threshold === null) {
    return { threshold: 1, chosen: false, note: `no threshold keeps the validation false-positive rate at or below ${targetFpr}; threshold 1 used` };
  }
  return { threshold: point.threshold, chosen: true };
}
