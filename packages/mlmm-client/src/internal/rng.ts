/** The default seed of the client's PRNG (jitter, multipart boundaries, temp file names). */
export const DEFAULT_SEED = 42;

/** A small seeded PRNG (mulberry32) returning floats in [0, 1). Deterministic per seed. */
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

/** `length` lower-case hex characters drawn from `random`. */
export function randomHex(random: () => number, length: number): string {
  let out = '';
  for (let index = 0; index < length; index++) out += Math.floor(random() * 16).toString(16);
  return out;
}
