import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { englishBigrams, rareBigrams } from '../scripts/generate-english-bigrams';
import { ENGLISH_BIGRAMS, RARE_ENGLISH_BIGRAMS } from './english-bigrams';

const DICTIONARY = '/usr/share/dict/american-english';

describe('ENGLISH_BIGRAMS', () => {
  it('holds 200 distinct lowercase letter pairs', () => {
    expect(ENGLISH_BIGRAMS).toHaveLength(200);
    expect(new Set(ENGLISH_BIGRAMS).size).toBe(200);
    for (const bigram of ENGLISH_BIGRAMS) expect(bigram).toMatch(/^[a-z]{2}$/);
  });
});

describe('RARE_ENGLISH_BIGRAMS', () => {
  it('holds sorted, distinct lowercase letter pairs, none of them frequent', () => {
    expect(RARE_ENGLISH_BIGRAMS).toEqual([...new Set(RARE_ENGLISH_BIGRAMS)].sort());
    for (const bigram of RARE_ENGLISH_BIGRAMS) expect(bigram).toMatch(/^[a-z]{2}$/);
    expect(RARE_ENGLISH_BIGRAMS.filter((bigram) => ENGLISH_BIGRAMS.includes(bigram))).toEqual([]);
    expect(RARE_ENGLISH_BIGRAMS).toContain('qx');
  });
});

describe('englishBigrams (the generator)', () => {
  it('counts every position of each distinct a–z word, most frequent first, ties alphabetical', () => {
    // "ss": 2 (mississippi) + 1 (kiss); "is": 2 + 1; "si": 2 (mississippi); "mi": 1; "ip": 1 ...
    // "Kiss" duplicates "kiss" after lowercasing; "don't" and "café" are not a–z words.
    const list = englishBigrams('mississippi\nkiss\nKiss\ndon\'t\ncafé\n', 4);
    expect(list).toEqual(['is', 'ss', 'si', 'ip']);
  });

  it('lists as rare every a–z pair at most maxCount times in the words, alphabetically', () => {
    // "ss" and "is" occur 3 times, "si" twice; every pair absent from the words is rare too.
    const rare = rareBigrams('mississippi\nkiss\n', 2);
    expect(rare).toContain('si');
    expect(rare).toContain('aa');
    expect(rare).not.toContain('ss');
    expect(rare).not.toContain('is');
    expect(rare).toHaveLength(26 * 26 - 2);
  });

  it.skipIf(!existsSync(DICTIONARY))(
    `regenerates the committed list from ${DICTIONARY} (skipped where Debian's wamerican is not installed)`,
    () => {
      const wordList = readFileSync(DICTIONARY, 'utf8');
      expect(englishBigrams(wordList, 200)).toEqual(ENGLISH_BIGRAMS);
      expect(rareBigrams(wordList, 20)).toEqual(RARE_ENGLISH_BIGRAMS);
    },
  );
});
