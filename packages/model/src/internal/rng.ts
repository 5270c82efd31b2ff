import { createSeededRandom, type SeededRandom } from '@dga/features';

/** The seeded PRNG of `@dga/features` (mulberry32). Not for cryptography. */
export type Rng = SeededRandom;

/** A seeded PRNG: the same seed gives the same sequence on every platform. */
export const createRng: (seed: number) => Rng = createSeededRandom;

/** Derives an independent 31-bit seed for a named purpose from the run seed (for tfjs seeds). */
export function deriveSeed(seed: number, purpose: string): number {
  return hashString(purpose, seed) & 0x7fffffff;
}

/**
 * 32-bit hash of `text` mixed with `seed`: FNV-1a over UTF-16 code units, then the murmur3
 * finalizer so nearby inputs land far apart.
 */
export function hashString(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** In-place seeded Fisher–Yates shuffle. */
export function shuffleInPlace(values: Uint32Array | number[], rng: Rng): void {
  for (let index = values.length - 1; index > 0; index -= 1) {
    const other = rng.nextInt(index + 1);
    const value = values[index]!;
    values[index] = values[other]!;
    values[other] = value;
  }
}
