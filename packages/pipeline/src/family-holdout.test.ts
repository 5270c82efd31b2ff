import { beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom } from '@dga/features';
import type { FamilyHoldoutResult, HoldoutFold } from '@dga/model';
import { evaluateFamilyHoldout } from './family-holdout';
import type { LabelledKey } from './family-folds';

const random = createSeededRandom(3);
const pick = (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[random.nextInt(alphabet.length)]).join('');
const syllables = ['ka', 'lo', 'me', 'ri', 'sun', 'tor', 'va', 'ne', 'shop', 'net', 'bo', 'lia'];
const word = (): string => Array.from({ length: 2 + random.nextInt(3) }, () => syllables[random.nextInt(syllables.length)]).join('');

/** Four synthetic DGA families of unequal size and word-like legit labels (some repeated). */
function syntheticRows(): LabelledKey[] {
  const family = (name: string, count: number, make: () => string): LabelledKey[] => Array.from({ length: count }, () => ({ key: make(), label: 1, subclass: name }));
  const legit = Array.from({ length: 400 }, (): LabelledKey => ({ key: word(), label: 0, subclass: 'legit' }));
  return [
    ...legit,
    ...family('consonants', 160, () => pick('bcdfghjklmnpqrstvwxz', 18)),
    ...family('hex', 90, () => pick('0123456789abcdef', 24)),
    ...family('digits', 40, () => pick('0123456789', 12)),
    ...family('mixed', 20, () => pick('abcdefghijklmnopqrstuvwxyz0123456789', 30)),
  ];
}

const options = { preset: 'default', featureSet: 'tutorial', seed: 42, targetFpr: 0.01, threshold: 0.5, protocol: { folds: 3, epochs: 2, maxTrainRowsPerFamily: 100, legitTrainFraction: 0.5 } } as const;

describe('evaluateFamilyHoldout on a small synthetic dataset', () => {
  const rows = syntheticRows();
  let result: FamilyHoldoutResult;
  let again: FamilyHoldoutResult;
  const folds: HoldoutFold[] = [];

  beforeAll(async () => {
    result = await evaluateFamilyHoldout(rows, { ...options, onFold: (fold) => folds.push(fold) });
    again = await evaluateFamilyHoldout(rows, options);
  }, 120_000);

  it('scores every family once, in the fold that held it out, against unseen legit labels', () => {
    if (result.status !== 'done') throw new Error(`expected done, got ${result.reason}`);
    expect(result.folds.map((fold) => fold.fold)).toEqual([1, 2, 3]);
    expect(folds).toEqual(result.folds);
    const heldOut = result.folds.flatMap((fold) => fold.families).sort();
    expect(heldOut).toEqual(['consonants', 'digits', 'hex', 'mixed']);
    expect(Object.keys(result.perFamily)).toEqual(heldOut);
    expect(result.perFamily['hex']).toMatchObject({ count: 90 });
    const { perFamily } = result;
    for (const fold of result.folds) {
      for (const family of fold.families) expect(perFamily[family]!.fold).toBe(fold.fold);
      expect(fold.rows.dga).toBe(fold.families.reduce((sum, family) => sum + perFamily[family]!.count, 0));
    }
    // Pooled: every DGA row and every legit row scored exactly once.
    expect(result.pooled.rows).toEqual({ dga: 310, legit: 400 });
    expect(result.folds.reduce((sum, fold) => sum + fold.rows.legit, 0)).toBe(400);
  });

  it('reports ROC AUC and TPR at 0.1 % and 1 % FPR, pooled and per fold, without NaN', () => {
    if (result.status !== 'done') throw new Error(result.reason);
    expect(result.pooled.operatingPoints.map((point) => point.targetFpr)).toEqual([0.001, 0.01]);
    // Random strings against syllable words: separable even with unseen families.
    expect(result.pooled.rocAuc).toBeGreaterThan(0.8);
    for (const fold of result.folds) {
      expect(fold.rocAuc).not.toBeNull();
      expect(fold.threshold).toBeGreaterThanOrEqual(0);
      expect(fold.threshold).toBeLessThanOrEqual(1);
    }
    expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
    expect(result.protocol).toEqual({ folds: 3, epochs: 2, maxTrainRowsPerFamily: 100, legitTrainFraction: 0.5, seed: 42, targetFpr: 0.01 });
  });

  it('gives the same result for the same seed', () => {
    expect(again).toEqual(result);
  });
});

describe('evaluateFamilyHoldout on data it cannot fold', () => {
  it('states a skip for a single DGA family, for no DGA family and for no legit rows', async () => {
    const legit: LabelledKey[] = [{ key: 'google', label: 0, subclass: 'legit' }, { key: 'bbc', label: 0, subclass: 'legit' }];
    const banjori: LabelledKey[] = [{ key: 'xkqjwz', label: 1, subclass: 'banjori' }, { key: 'pqzrtl', label: 1, subclass: 'banjori' }];
    const suppobox: LabelledKey[] = [{ key: 'heavenmother', label: 1, subclass: 'suppobox' }];
    expect(await evaluateFamilyHoldout([...legit, ...banjori], options)).toEqual({
      status: 'skipped',
      reason: 'needs at least 2 DGA families in the subclass column to hold one out, found 1 (banjori)',
    });
    const noFamily = await evaluateFamilyHoldout(legit, options);
    expect(noFamily.status === 'skipped' && noFamily.reason).toBe('needs at least 2 DGA families in the subclass column to hold one out, found none');
    expect(await evaluateFamilyHoldout([...banjori, ...suppobox], options)).toEqual({
      status: 'skipped',
      reason: 'needs at least 2 distinct legit labels to score held-out families against unseen legit rows, found 0',
    });
  });

  it('states a skip when a fold has too few rows to train on', async () => {
    // Two families, two legit labels and no legit training sample: a fold has nothing legit to train on.
    const rows: LabelledKey[] = [
      { key: 'google', label: 0, subclass: 'legit' },
      { key: 'bbc', label: 0, subclass: 'legit' },
      { key: 'xkqjwz', label: 1, subclass: 'banjori' },
      { key: 'heavenmother', label: 1, subclass: 'suppobox' },
    ];
    const result = await evaluateFamilyHoldout(rows, { ...options, protocol: { ...options.protocol, legitTrainFraction: 0 } });
    expect(result.status === 'skipped' && result.reason).toMatch(/^fold 1 of 2 has too few rows to train on: trainModel: /);
  }, 60_000);
});
