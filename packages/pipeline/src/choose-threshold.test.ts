import { describe, expect, it } from 'vitest';
import { chooseThreshold } from './choose-threshold';

const rows = (scores: number[], labels: number[]) => ({ scores: Float32Array.from(scores), labels: Uint8Array.from(labels), families: labels.map((label) => (label === 1 ? 'dga' : 'legit')) });

describe('chooseThreshold', () => {
  it('picks the lowest validation score that keeps the false-positive rate within the target', () => {
    // 10 legit rows, one of them (0.875) above every DGA row but one: at 10 % FPR it may be flagged.
    const validation = rows([0.9375, 0.875, 0.75, 0.5, ...Array.from({ length: 9 }, (_, index) => index / 20)], [1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(chooseThreshold(validation, 0.1, 0.5)).toEqual({ threshold: 0.5, chosen: true });
    expect(chooseThreshold(validation, 0.05, 0.5)).toEqual({ threshold: 0.9375, chosen: true });
  });

  it('keeps the fallback, saying why, without a validation split of both classes', () => {
    const chosen = chooseThreshold(rows([], []), 0.01, 0.5);
    expect(chosen).toEqual({ threshold: 0.5, chosen: false, note: 'no validation split with both classes to choose the threshold at 0.01 false-positive rate; threshold 0.5 kept' });
    expect(chooseThreshold(rows([0.9, 0.8], [1, 1]), 0.01, 0.3).threshold).toBe(0.3);
  });

  it('uses 1 when even the highest validation score is a legit row', () => {
    expect(chooseThreshold(rows([0.99, 0.5], [0, 1]), 0.01, 0.5)).toMatchObject({ threshold: 1, chosen: false });
  });
});
