import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { englishBigrams } from '../scripts/generate-english-bigrams';
import { ENGLISH_BIGRAMS } from './english-bigrams';

const DICTIONARY = '/usr/share/dict/american-english';

describe('ENGLISH_BIGRAMS', () => {
  it('holds 200 distinct lowercase letter pairs', () => {
    expect(ENGLISH_BIGRAMS).toHaveLength(200);
    expect(new Set(ENGLISH_BIGRAMS).size).toBe(200);
    for (const bigram of ENGLISH_BIGRAMS) expect(bigram).toMatch(/^[a-z]{2}$/);
  });
});

describe('englishBigrams (the generator)', () => {
  it('counts every position of each distinct a–z word, most frequent first, ties alphabetical', () => {
    // "ss": 2 (mississippi) + 1 (kiss); "is": 2 + 1; "si": 2 (mississippi); "mi": 1; "ip": 1 ...
    // "Kiss" duplicates "kiss" after lowercasing; "don't" and "café" are not a–z words.
    const list = englishBigrams('mississippi\nkiss\nKiss\ndon\'t\ncafé\n', 4);
    expect(list).toEqual(['is', 'ss', 'si', 'ip']);
  });

  it.skipIf(!existsSync(DICTIONARY))(
    `regenerates the committed list from ${DICTIONARY} (skipped where Debian's wamerican is not installed)`,
    () => {
      expect(englishBigrams(readFileSync(DICTIONARY, 'utf8'), 200)).toEqual(ENGLISH_BIGRAMS);
    },
  );
});
