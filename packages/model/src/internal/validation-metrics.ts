import { computeMetrics } from '../compute-metrics';
import type { ScoredRows } from '../train-model';

/** An epoch's validation loss, accuracy and ROC AUC. */
export interface ValidationMetrics {
  valLoss: number;
  valAccuracy: number;
  /** Undefined when the validation split holds a single class. */
  valAuc: number | undefined;
}

/**
 * Cross-entropy (probabilities clipped to [1e-7, 1 − 1e-7], as Keras does) plus the model's
 * `regularizationLoss`, accuracy at 0.5 and ROC AUC of scored validation rows.
 */
export function computeValidationMetrics(scored: ScoredRows, regularizationLoss: number): ValidationMetrics {
  let crossEntropy = 0;
  let correct = 0;
  for (let row = 0; row < scored.scores.length; row += 1) {
    const probability = Math.min(Math.max(scored.scores[row]!, 1e-7), 1 - 1e-7);
    crossEntropy -= scored.labels[row] === 1 ? Math.log(probability) : Math.log(1 - probability);
    if ((scored.scores[row]! > 0.5 ? 1 : 0) === scored.labels[row]) correct += 1;
  }
  return {
    valLoss: crossEntropy / scored.scores.length + regularizationLoss,
    valAccuracy: correct / scored.scores.length,
    valAuc: computeMetrics({ scores: scored.scores, labels: scored.labels }).rocAuc ?? undefined,
  };
}
