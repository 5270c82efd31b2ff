import { describe, expect, it } from 'vitest';
import { createSubstringIndex } from './substring-index';

const needles = ['in', 'co', 'IN', 'é1', 'oin', '', 'x', 'abc'];
const texts = ['coin', 'COIN', 'Coin', 'in', 'xé1', 'abcabc', '', 'İn', 'oinoin', 'nothing'];

describe('createSubstringIndex', () => {
  for (const caseMode of ['sensitive', 'insensitive'] as const) {
    it(`answers as includes does (${caseMode}), for each text in any order and again`, () => {
      const index = createSubstringIndex(caseMode);
      const slots = needles.map((needle) => index.add(needle));
      const expected = (text: string, needle: string): boolean =>
        caseMode === 'sensitive' ? text.includes(needle) : text.toLowerCase().includes(needle.toLowerCase());
      for (const pass of [0, 1]) {
        for (const [position, needle] of needles.entries()) {
          for (const text of pass === 0 ? texts : [...texts].reverse()) {
            expect(index.contains(text, slots[position] as number), `${JSON.stringify(text)} -> ${JSON.stringify(needle)}`).toBe(expected(text, needle));
          }
        }
      }
    });
  }

  it('gives one slot to a needle added twice (case-folded when insensitive)', () => {
    const index = createSubstringIndex('insensitive');
    expect(index.add('In')).toBe(index.add('iN'));
    expect(createSubstringIndex('sensitive').add('a')).toBe(0);
  });
});
