import { describe, expect, it } from 'vitest';
import { assignFamilyFolds, assignLegitFolds, sampleFamilyRows, type LabelledKey } from './family-folds';

/** The family sizes of dga-training.csv (37 families, 5 to 5,000 rows). */
const realSizes: [string, number][] = Object.entries({
  dnschanger: 5, orchard: 8, sisron: 10, darkcracks: 31, m0yv: 57, dmsniff: 70, mydoom: 99, bumblebee: 100, proslikefan: 100, ramnit: 100,
  reconyc: 100, nymaim: 128, pitou: 280, monerodownloader: 500, tufik: 510, nymaim2: 694, charbot: 993, simda: 1000, ngioweb: 1024,
  kraken: 1241, murofet: 1510, goz: 1667, tempedreve: 1746, shiotob: 2001, necurs: 2048, qsnatch: 2579, pykspa: 3000, qakbot: 3000,
  zloader: 3000, newgoz: 3666, conficker: 5000, cryptolocker: 5000, matsnu: 5000, pushdo: 5000, ramdo: 5000, rovnix: 5000, tinba: 5000,
});

function loads(assignment: Map<string, number>, sizes: Map<string, number>, folds: number): number[] {
  const result = new Array<number>(folds).fill(0);
  for (const [family, fold] of assignment) result[fold]! += sizes.get(family)!;
  return result;
}

describe('assignFamilyFolds', () => {
  it('puts the largest family first, then each family in the lightest fold (hand-worked)', () => {
    const sizes = new Map([['a', 5000], ['b', 3000], ['c', 2000], ['d', 1000]]);
    // a → fold 0 (5000); b → fold 1 (3000); c → fold 1 (5000); tie → d → fold 0 (6000).
    expect(Object.fromEntries(assignFamilyFolds(sizes, 2, 42))).toEqual({ a: 0, b: 1, c: 1, d: 0 });
  });

  it('balances the real family sizes by row count within one family of each other', () => {
    const sizes = new Map(realSizes);
    const total = realSizes.reduce((sum, [, size]) => sum + size, 0);
    for (const seed of [1, 42, 1234]) {
      const assignment = assignFamilyFolds(sizes, 5, seed);
      expect(assignment.size).toBe(37);
      const perFold = loads(assignment, sizes, 5);
      expect(perFold.reduce((sum, load) => sum + load, 0)).toBe(total);
      // A round robin by name would leave folds thousands of rows apart; largest-first greedy stays within ~1 %.
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(200);
    }
  });

  it('is deterministic from the seed, independent of input order, and the seed orders equal sizes', () => {
    const forward = assignFamilyFolds(new Map(realSizes), 5, 42);
    const backward = assignFamilyFolds(new Map([...realSizes].reverse()), 5, 42);
    expect(Object.fromEntries(backward)).toEqual(Object.fromEntries(forward));
    const other = assignFamilyFolds(new Map(realSizes), 5, 7);
    expect(Object.fromEntries(other)).not.toEqual(Object.fromEntries(forward));
  });
});

describe('assignLegitFolds', () => {
  it('splits distinct labels into equal folds, keeps copies together and samples the training share', () => {
    const keys = Array.from({ length: 1000 }, (_, index) => `site${index}`);
    const { fold, inTrainingSample } = assignLegitFolds([...keys, 'site1', 'site2'], 4, 42, 0.25);
    expect(fold.size).toBe(1000);
    const counts = [0, 0, 0, 0];
    for (const value of fold.values()) counts[value]! += 1;
    expect(counts).toEqual([250, 250, 250, 250]);
    expect(inTrainingSample.size).toBeGreaterThan(200);
    expect(inTrainingSample.size).toBeLessThan(300);
    expect(assignLegitFolds([...keys].reverse(), 4, 42, 0.25).fold).toEqual(fold);
  });
});

describe('sampleFamilyRows', () => {
  it('keeps small families whole and a seeded sample of exactly the cap from large ones', () => {
    const rows: LabelledKey[] = [
      ...Array.from({ length: 50 }, (_, index): LabelledKey => ({ key: `big${index}`, label: 1, subclass: 'big' })),
      ...Array.from({ length: 5 }, (_, index): LabelledKey => ({ key: `small${index}`, label: 1, subclass: 'small' })),
      { key: 'google', label: 0, subclass: 'legit' },
    ];
    const kept = sampleFamilyRows(rows, 10, 42);
    const byFamily = (family: string) => [...kept].filter((index) => rows[index]!.subclass === family).length;
    expect(byFamily('big')).toBe(10);
    expect(byFamily('small')).toBe(5);
    expect(byFamily('legit')).toBe(0);
    expect(sampleFamilyRows(rows, 10, 42)).toEqual(kept);
    expect(sampleFamilyRows(rows, null, 42).size).toBe(55);
  });
});
