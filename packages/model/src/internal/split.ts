import { hashString } from './rng';

/** Which split a row belongs to. */
export type SplitName = 'train' | 'validation' | 'test';

export interface Splitter {
  assign(example: { key: string; label: 0 | 1 }): SplitName;
}

/**
 * Assigns rows to splits by a hash of (seed, class, key), each class on its own: every class
 * has the same expected share in every split (stratified in expectation; on n rows of a class
 * the realized share deviates by about sqrt(p(1-p)/n), 0.16 % for 66k rows at p = 0.2).
 * Membership never depends on row order or dataset size, needs no memory, and the same key always
 * lands in the same split (so duplicates cannot leak from train into test).
 */
export function createSplitter(seed: number, testFraction: number, validationFraction: number): Splitter {
  const testBound = testFraction * 4294967296;
  const validationBound = (testFraction + validationFraction) * 4294967296;
  return {
    assign(example) {
      const bucket = hashString(example.key, seed ^ (example.label === 1 ? 0x5bd1e995 : 0x27d4eb2f));
      if (bucket < testBound) return 'test';
      if (bucket < validationBound) return 'validation';
      return 'train';
    },
  };
}

/**
 * A fixed test split: rows whose key is in `testKeys` are the test split (whatever their class);
 * the others go to validation with probability `validationFraction`, by the same seeded hash as
 * {@link createSplitter}, else to train. For comparisons on a split made elsewhere.
 */
export function createFixedTestSplitter(testKeys: ReadonlySet<string>, seed: number, validationFraction: number): Splitter {
  const rest = createSplitter(seed, 0, validationFraction);
  return {
    assign(example) {
      return testKeys.has(example.key) ? 'test' : rest.assign(example);
    },
  };
}
