import { describe, expect, it } from 'vitest';
import { computeMetrics } from './compute-metrics';
import { ModelError } from './errors';
import { createRng } from './internal/rng';

/** Brute-force AUC over all (positive, negative) pairs: a second, independent implementation. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let correct = 0;
  let pairs = 0;
  scores.forEach((positive, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((negative, j) => {
      if (labels[j] !== 0) return;
      pairs += 1;
      correct += positive > negative ? 1 : positive === negative ? 0.5 : 0;
    });
  });
  return correct / pairs;
}

describe('computeMetrics', () => {
  // Hand-computed: positives 0.9, 0.8, 0.6, 0.3; negatives 0.7, 0.55, 0.4, 0.2.
  const scores = [0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2];
  const labels = [1, 1, 0, 1, 0, 0, 1, 0];

  it('computes the confusion matrix and the threshold metrics of a hand-worked example', () => {
    const metrics = computeMetrics({ scores, labels });
    expect(metrics.confusion).toEqual({ tp: 3, fp: 2, tn: 2, fn: 1 });
    expect(metrics.accuracy).toBe(5 / 8);
    expect(metrics.precision).toBe(3 / 5);
    expect(metrics.recall).toBe(3 / 4);
    expect(metrics.f1).toBeCloseTo(2 / 3, 12);
    expect(metrics.threshold).toBe(0.5);
    expect(metrics.rows).toBe(8);
  });

  it('computes ROC AUC as the share of correctly ordered pairs (12 of 16)', () => {
    expect(computeMetrics({ scores, labels }).rocAuc).toBe(12 / 16);
  });

  it('finds the F1-maximizing threshold among the observed scores (0.6 gives 6/8)', () => {
    expect(computeMetrics({ scores, labels }).bestThreshold).toEqual({ threshold: 0.6, f1: 0.75 });
  });

  it('counts tied scores as half a correctly ordered pair', () => {
    expect(computeMetrics({ scores: [0.5, 0.5, 0.5, 0.5], labels: [1, 0, 1, 0] }).rocAuc).toBe(0.5);
    // pairs: 0.8>0.5n, 0.8>0.2, 0.5p=0.5n (half), 0.5p>0.2 → 3.5 / 4
    expect(computeMetrics({ scores: [0.8, 0.5, 0.5, 0.2], labels: [1, 1, 0, 0] }).rocAuc).toBe(0.875);
  });

  it('treats tied scores as one threshold when searching the best F1', () => {
    // At 0.5 both tied rows flip together: tp 2, fp 1 → F1 0.8; at 0.9: tp 1, fn 1 → 2/3.
    const metrics = computeMetrics({ scores: [0.9, 0.5, 0.5, 0.1], labels: [1, 1, 0, 0] });
    expect(metrics.bestThreshold).toEqual({ threshold: 0.5, f1: 0.8 });
  });

  it('agrees with a brute-force pairwise AUC on random scores with many ties', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 20; trial += 1) {
      const count = 50 + rng.nextInt(150);
      const randomScores = Array.from({ length: count }, () => Math.round(rng.next() * 20) / 20);
      const randomLabels = Array.from({ length: count }, (_, index) => (index < 3 ? index % 2 : rng.nextInt(2)));
      expect(computeMetrics({ scores: randomScores, labels: randomLabels }).rocAuc).toBeCloseTo(pairwiseAuc(randomScores, randomLabels), 12);
    }
  });

  it('predicts DGA when the score equals the threshold', () => {
    expect(computeMetrics({ scores: [0.5, 0.4999], labels: [1, 0], threshold: 0.5 }).confusion).toEqual({ tp: 1, fp: 0, tn: 1, fn: 0 });
    expect(computeMetrics({ scores: [0, 1], labels: [0, 1], threshold: 0 }).confusion).toEqual({ tp: 1, fp: 1, tn: 0, fn: 0 });
    expect(computeMetrics({ scores: [0, 1], labels: [0, 1], threshold: 1.01 }).confusion).toEqual({ tp: 0, fp: 0, tn: 1, fn: 1 });
  });

  it('returns rocAuc null and zero precision/recall/F1 for a legit-only input', () => {
    const metrics = computeMetrics({ scores: [0.1, 0.7, 0.3], labels: [0, 0, 0] });
    expect(metrics.rocAuc).toBeNull();
    expect(metrics.confusion).toEqual({ tp: 0, fp: 1, tn: 2, fn: 0 });
    expect(metrics.precision).toBe(0);
    expect(metrics.recall).toBe(0);
    expect(metrics.f1).toBe(0);
    expect(metrics.accuracy).toBe(2 / 3);
    expect(metrics.bestThreshold).toEqual({ threshold: null, f1: 0 });
  });

  it('returns rocAuc null for a DGA-only input and still finds the best threshold', () => {
    const metrics = computeMetrics({ scores: [0.2, 0.9], labels: [1, 1] });
    expect(metrics.rocAuc).toBeNull();
    expect(metrics.recall).toBe(0.5);
    expect(metrics.precision).toBe(1);
    expect(metrics.bestThreshold).toEqual({ threshold: 0.2, f1: 1 });
  });

  it('handles an empty input without NaN', () => {
    const metrics = computeMetrics({ scores: [], labels: [] });
    expect(metrics).toMatchObject({ rows: 0, accuracy: 0, precision: 0, recall: 0, f1: 0, rocAuc: null });
    expect(JSON.stringify(metrics)).not.toContain('NaN');
  });

  it('reports per-family recall (legit: true-negative rate) with sorted keys', () => {
    const metrics = computeMetrics({
      scores: [0.9, 0.2, 0.8, 0.1, 0.6, 0.7],
      labels: [1, 1, 1, 0, 0, 1],
      families: ['zeus', 'zeus', 'conficker', 'legit', 'legit', 'conficker'],
    });
    expect(Object.keys(metrics.perFamily)).toEqual(['conficker', 'legit', 'zeus']);
    expect(metrics.perFamily).toEqual({
      conficker: { count: 2, recall: 1 },
      legit: { count: 2, recall: 0.5 },
      zeus: { count: 2, recall: 0.5 },
    });
  });

  it('finds the lowest threshold within each target false-positive rate and the recall there', () => {
    // Negatives 0.7, 0.55, 0.4, 0.2. FPR ≤ 25 %: 0.7 may be flagged, 0.55 not → threshold 0.6, recall 3/4.
    // FPR ≤ 10 %: no negative may be flagged → threshold 0.8 (0.7 is a negative), recall 2/4.
    const metrics = computeMetrics({ scores, labels, targetFprs: [0.1, 0.25] });
    expect(metrics.operatingPoints).toEqual([
      { targetFpr: 0.1, threshold: 0.8, tpr: 0.5, fpr: 0 },
      { targetFpr: 0.25, threshold: 0.6, tpr: 0.75, fpr: 0.25 },
    ]);
    expect(computeMetrics({ scores, labels }).operatingPoints.map((point) => point.targetFpr)).toEqual([0.001, 0.01]);
  });

  it('agrees with a brute-force scan of every threshold for the operating points', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 20; trial += 1) {
      const count = 200 + rng.nextInt(300);
      const randomLabels = Array.from({ length: count }, (_, index) => (index < 2 ? index % 2 : rng.nextInt(2)));
      const randomScores = randomLabels.map((label) => Math.round((rng.next() + label * 0.5) * 50) / 75);
      const negatives = randomLabels.filter((label) => label === 0).length;
      const positives = count - negatives;
      for (const target of [0.01, 0.05, 0.2]) {
        let expected: { threshold: number | null; tpr: number } = { threshold: null, tpr: 0 };
        for (const candidate of [...new Set(randomScores)].sort((a, b) => b - a)) {
          const fp = randomScores.filter((score, index) => score >= candidate && randomLabels[index] === 0).length;
          const tp = randomScores.filter((score, index) => score >= candidate && randomLabels[index] === 1).length;
          if (fp / negatives <= target) expected = { threshold: candidate, tpr: tp / positives };
        }
        const [point] = computeMetrics({ scores: randomScores, labels: randomLabels, targetFprs: [target] }).operatingPoints;
        expect(point).toMatchObject(expected);
      }
    }
  });

  it('gives a null threshold when even the highest score is a false positive, and nulls with one class', () => {
    expect(computeMetrics({ scores: [0.9, 0.5], labels: [0, 1], targetFprs: [0.1] }).operatingPoints).toEqual([{ targetFpr: 0.1, threshold: null, tpr: 0, fpr: 0 }]);
    const oneClass = computeMetrics({ scores: [0.9, 0.5], labels: [1, 1] });
    expect(oneClass.operatingPoints).toEqual([
      { targetFpr: 0.001, threshold: null, tpr: null, fpr: null },
      { targetFpr: 0.01, threshold: null, tpr: null, fpr: null },
    ]);
    expect(JSON.stringify(computeMetrics({ scores: [], labels: [] }))).not.toContain('NaN');
  });

  it('throws ERR_MODEL_INVALID_METRICS_INPUT for mismatched lengths, NaN scores and bad labels', () => {
    const code = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        return ModelError.isInstance(error) ? error.code : 'foreign';
      }
      return undefined;
    };
    expect(code(() => computeMetrics({ scores: [0.1], labels: [0, 1] }))).toBe('ERR_MODEL_INVALID_METRICS_INPUT');
    expect(code(() => computeMetrics({ scores: [0.1], labels: [0], families: [] }))).toBe('ERR_MODEL_INVALID_METRICS_INPUT');
    expect(code(() => computeMetrics({ scores: [Number.NaN], labels: [0] }))).toBe('ERR_MODEL_INVALID_METRICS_INPUT');
    expect(code(() => computeMetrics({ scores: [0.3], labels: [2] }))).toBe('ERR_MODEL_INVALID_METRICS_INPUT');
    expect(code(() => computeMetrics({ scores: [0.3], labels: [1], threshold: Number.NaN }))).toBe('ERR_MODEL_INVALID_METRICS_INPUT');
    expect(code(() => computeMetrics({ scores: [0.3], labels: [1], targetFprs: [0] }))).toBe('ERR_MODEL_INVALID_METRICS_INPUT');
    expect(code(() => computeMetrics({ scores: [0.3], labels: [1], targetFprs: [1] }))).toBe('ERR_MODEL_INVALID_METRICS_INPUT');
  });
});
