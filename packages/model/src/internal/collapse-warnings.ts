import { computeMetrics } from '../compute-metrics';
import type { ScoredRows } from '../train-model';

/** Test ROC AUC at or below which a trained model is reported as no better than chance. */
const CHANCE_AUC = 0.55;

/**
 * Warnings for a model that collapsed to a constant (every test score equal) or nearly so
 * (ranking no better than chance); empty when the test scores look healthy.
 */
export function collapseWarnings(test: ScoredRows, seed: number): string[] {
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (const score of test.scores) {
    lowest = Math.min(lowest, score);
    highest = Math.max(highest, score);
  }
  if (highest - lowest < 1e-6) {
    return [`the trained model gives every test row the same score (${highest.toFixed(6)}): it collapsed to a constant (dead ReLUs). Its ROC AUC is 0.5. Retrain with another seed (now ${seed}), more epochs, or the default preset.`];
  }
  // Nearly dead networks keep a sliver of variation (e.g. one barely alive unit) but rank no
  // better than chance.
  const rocAuc = computeMetrics(test).rocAuc;
  if (rocAuc !== null && rocAuc <= CHANCE_AUC) {
    return [`the trained model ranks the test rows no better than chance (ROC AUC ${rocAuc.toFixed(4)}; scores ${lowest.toFixed(6)}–${highest.toFixed(6)}): it has nearly collapsed to a constant (dead ReLUs). Retrain with another seed (now ${seed}), more epochs, or the default preset.`];
  }
  return [];
}
