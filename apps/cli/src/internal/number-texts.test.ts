import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNumberTexts } from './number-texts';

describe('createNumberTexts', () => {
  it('gives String(value) for any number, remembered or not, across evictions of a small table', () => {
    const text = createNumberTexts(8);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.integer({ min: -300, max: 300 }), fc.constantFrom(0, -0, 0.3, 2.5216406363433186)), { maxLength: 50 }), (values) => {
        for (const value of [...values, ...values]) expect(text(value)).toBe(String(value));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
