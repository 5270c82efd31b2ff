import { createSeededRandom } from '@dga/features';

/** The seed used whenever a caller gives none. */
export const DEFAULT_SEED = 42;

/** Floats in [0, 1) from the seeded PRNG of `@dga/features` (mulberry32). */
export function createRng(seed: number = DEFAULT_SEED): () => number {
  const random = createSeededRandom(seed);
  return () => random.next();
}
