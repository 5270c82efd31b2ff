import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random';

describe('createSeededRandom', () => {
  it('keeps the mulberry32 sequence that earlier seeded runs were made with', () => {
    // Pinned: a changed sequence would silently change every seeded training run and parity set.
    const random = createSeededRandom(1);
    expect([random.nextUint32(), random.nextUint32(), random.nextUint32()]).toEqual([2_693_262_067, 11_749_833, 2_265_367_787]);
  });

  it('repeats per seed and stays in range', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const drawn = [a.next(), a.next(), a.nextInt(10)];
    expect([b.next(), b.next(), b.nextInt(10)]).toEqual(drawn);
    expect(drawn.every((value) => value >= 0 && value < 10)).toBe(true);
    expect(createSeededRandom(43).next()).not.toBe(drawn[0]);
  });
});
