/** A seeded pseudo-random number generator (see {@link createSeededRandom}). */
export interface SeededRandom {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number;
}

/**
 * Small seeded PRNG (mulberry32): the same seed gives the same sequence on every platform, since
 * it only uses 32-bit integer arithmetic. For reproducible shuffles, dropout and test inputs; not
 * for cryptography, and not for retry jitter (which needs real randomness).
 *
 * @example
 * const random = createSeededRandom(42);
 * random.next(); // the same float in [0, 1) on every run
 */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    nextUint32,
    next: () => nextUint32() / 4294967296,
    nextInt: (bound) => Math.floor((nextUint32() / 4294967296) * bound),
  };
}
