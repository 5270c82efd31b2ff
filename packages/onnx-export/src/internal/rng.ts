/** The seed used whenever a caller gives none. */
export const DEFAULT_SEED = 42;

/** mulberry32: a small, fast, seeded PRNG giving floats in [0, 1). */
export function createRng(seed: number = DEFAULT_SEED): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
