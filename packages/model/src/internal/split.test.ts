import { describe, expect, it } from 'vitest';
import { createFixedTestSplitter, createSplitter } from './split';

describe('createSplitter', () => {
  const keys = Array.from({ length: 20000 }, (_, index) => `label${index}x${(index * 2654435761) % 9973}`);

  it('gives every class the requested shares within sampling noise', () => {
    const splitter = createSplitter(42, 0.2, 0.1);
    for (const label of [0, 1] as const) {
      const counts = { train: 0, validation: 0, test: 0 };
      for (const key of keys) counts[splitter.assign({ key, label })] += 1;
      // 3 standard deviations of a binomial share on 20,000 rows is about 0.0085.
      expect(Math.abs(counts.test / keys.length - 0.2)).toBeLessThan(0.0085);
      expect(Math.abs(counts.validation / keys.length - 0.1)).toBeLessThan(0.0065);
    }
  });

  it('assigns a key independently of order and of the other rows', () => {
    const splitter = createSplitter(42, 0.2, 0.1);
    const forward = keys.map((key) => splitter.assign({ key, label: 1 }));
    const backward = [...keys].reverse().map((key) => createSplitter(42, 0.2, 0.1).assign({ key, label: 1 })).reverse();
    expect(backward).toEqual(forward);
  });

  it('changes the assignment with the seed', () => {
    const first = keys.slice(0, 500).map((key) => createSplitter(1, 0.2, 0).assign({ key, label: 0 }));
    const second = keys.slice(0, 500).map((key) => createSplitter(2, 0.2, 0).assign({ key, label: 0 }));
    expect(second).not.toEqual(first);
  });

  it('keeps the test split when a validation share is added (validation comes from train)', () => {
    const withoutValidation = createSplitter(42, 0.2, 0);
    const withValidation = createSplitter(42, 0.2, 0.1);
    for (const key of keys.slice(0, 2000)) {
      expect(withValidation.assign({ key, label: 0 }) === 'test').toBe(withoutValidation.assign({ key, label: 0 }) === 'test');
    }
  });

  it('takes a fixed test split as given and splits the rest into train and validation', () => {
    const testKeys = new Set(keys.filter((_, index) => index % 5 === 0));
    const splitter = createFixedTestSplitter(testKeys, 42, 0.1);
    const counts = { train: 0, validation: 0, test: 0 };
    keys.forEach((key, index) => {
      const split = splitter.assign({ key, label: (index & 1) as 0 | 1 });
      expect(split === 'test').toBe(index % 5 === 0);
      counts[split] += 1;
    });
    // 16,000 non-test rows: 3 standard deviations of a 10 % share is about 0.0071.
    expect(Math.abs(counts.validation / 16000 - 0.1)).toBeLessThan(0.0071);
  });
});
