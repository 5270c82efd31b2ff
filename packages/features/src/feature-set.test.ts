import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { describe, expect, it } from 'vitest';
import { FeaturesError } from './features-error';
import { ENGLISH_BIGRAMS, RARE_ENGLISH_BIGRAMS } from './english-bigrams';
import { featureSetNames, getFeatureSet, type FeatureSetName } from './feature-set';
import { featurizeLabels } from './featurize-domain';

/** A straightforward second implementation: Map-based counts over UTF-16 code units. */
function referenceFeatures(label: string, set: FeatureSetName): number[] {
  const counts = new Map<string, number>();
  const units: string[] = [];
  for (let index = 0; index < label.length; index++) units.push(label[index]!);
  for (const unit of units) counts.set(unit, (counts.get(unit) ?? 0) + 1);
  const n = units.length;
  let entropy = 0;
  for (const count of counts.values()) entropy -= (count / n) * Math.log2(count / n);
  const share = (chars: string): number => units.filter((unit) => chars.includes(unit)).length / n;
  const tutorial = [n, entropy, share('aeiouAEIOU')];
  if (set === 'tutorial') return tutorial;
  const frequencies = [...'abcdefghijklmnopqrstuvwxyz0123456789-'].map((character) => share(character));
  const extended = [...tutorial, share('0123456789'), share('bcdfghjklmnpqrstvwxyz'), ...frequencies];
  if (set === 'extended') return extended;
  const bigram = [...extended, ...ENGLISH_BIGRAMS.map((bigram) => (label.includes(bigram) ? 1 : 0))];
  if (set === 'bigram') return bigram;
  // The first min(n − 1, 24) pairs, each looked up in the table.
  const pairs = units.slice(0, 25).slice(1).map((unit, index) => units[index]! + unit);
  const pairShare = (table: readonly string[]): number => (pairs.length === 0 ? 0 : pairs.filter((pair) => table.includes(pair)).length / pairs.length);
  if (set === 'ngram') return [...bigram, pairShare(ENGLISH_BIGRAMS), pairShare(RARE_ENGLISH_BIGRAMS)];
  // char: the codes of the first 24 code units, 1 + index in the alphabet, 0 for others and beyond the end.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
  return [...bigram, ...Array.from({ length: 24 }, (_, position) => (position < n ? alphabet.indexOf(units[position]!) + 1 : 0))];
}

function compute(label: string, set: FeatureSetName = 'tutorial'): Float64Array {
  const featureSet = getFeatureSet(set);
  const out = new Float64Array(featureSet.size);
  featureSet.compute(label, out);
  return out;
}

describe('getFeatureSet', () => {
  it('defines tutorial as length, entropy, vowel_proportion (the model input order)', () => {
    const set = getFeatureSet('tutorial');
    expect(set.featureNames).toEqual(['length', 'entropy', 'vowel_proportion']);
    expect(set.size).toBe(3);
    expect(set.version).toBe(1);
  });

  it('defines extended as the 42 features in the contract order', () => {
    const expected = [
      'length', 'entropy', 'vowel_proportion', 'digit_ratio', 'consonant_ratio',
      ...'abcdefghijklmnopqrstuvwxyz0123456789-'.split('').map((character) => `freq_${character}`),
    ];
    const set = getFeatureSet('extended');
    expect(set.featureNames).toEqual(expected);
    expect(set.size).toBe(42);
    expect(set.features.map((feature) => feature.name)).toEqual(expected);
    expect(new Set(set.features.map((feature) => feature.column)).size).toBe(42);
  });

  it('defines bigram as extended then one flag per English bigram, in the list order', () => {
    const set = getFeatureSet('bigram');
    expect(set.size).toBe(242);
    expect(set.featureNames.slice(0, 42)).toEqual(getFeatureSet('extended').featureNames);
    expect(set.featureNames.slice(42)).toEqual(ENGLISH_BIGRAMS.map((bigram) => `bigram_${bigram}`));
    expect(set.featureNames.slice(42, 45)).toEqual(['bigram_in', 'bigram_er', 'bigram_es']);
    expect(new Set(set.features.map((feature) => feature.column)).size).toBe(242);
    expect(set.features[42]!.linq('label')).toBe('ifthenelse(label -> "in", 1, 0)');
  });

  it('defines char as bigram then the codes of the first 24 characters, 0 beyond the end and for other characters', () => {
    const set = getFeatureSet('char');
    expect(set.size).toBe(266);
    expect(set.featureNames.slice(0, 242)).toEqual(getFeatureSet('bigram').featureNames);
    expect(set.featureNames.slice(242)).toEqual(Array.from({ length: 24 }, (_, position) => `char_${position}`));
    expect(set.characterCodes).toEqual({ offset: 242, count: 24, alphabet: 'abcdefghijklmnopqrstuvwxyz0123456789-' });
    expect(getFeatureSet('bigram').characterCodes).toBeUndefined();
    // a=1 … z=26, 0=27 … 9=36, -=37; "_" and "é" are outside the alphabet.
    expect(Array.from(compute('az09-_é', 'char').slice(242, 250))).toEqual([1, 26, 27, 36, 37, 0, 0, 0]);
    const long = compute('x'.repeat(40), 'char');
    expect(Array.from(long.slice(242))).toEqual(new Array(24).fill(24));
    expect(set.features[243]!.linq('label')).toBe(
      'ifthenelse(length(label) > 1, ifthenelse(char_alphabet -> substring(label, ifthenelse(length(label) > 1, 1, 0), 1), ' +
        'locate(char_alphabet, substring(label, ifthenelse(length(label) > 1, 1, 0), 1)) - locate(char_alphabet, "a") + 1, 0), 0)',
    );
  });

  it('lists the sets and rejects unknown names with a typed error', () => {
    expect(featureSetNames).toEqual(['tutorial', 'extended', 'bigram', 'ngram', 'char']);
    expect(() => getFeatureSet('huge' as FeatureSetName)).toThrowError(/Unknown feature set "huge".*tutorial, extended, bigram, ngram, char/);
    try {
      getFeatureSet('toString' as FeatureSetName);
    } catch (error) {
      expect(FeaturesError.isInstance(error) && error.code).toBe('ERR_FEATURES_UNKNOWN_SET');
    }
  });
});

describe('FeatureSet.compute', () => {
  // docs/reference/linq-functions.md §5: length, shannonentropy, countbyfilter(·, "aeiouAEIOU") on these strings.
  it.each([
    ['www.google.com', 14, 2.842371, 4],
    ['www.bing.com', 12, 3.022055, 2],
    ['www.logcasts.com', 16, 3.20282, 3],
    ['xjw3kq9zt1lmp0a.net', 19, 4.142664, 2],
  ])('matches the LINQ reference vectors on %s', (input, length, entropy, vowels) => {
    const [computedLength, computedEntropy, vowelProportion] = compute(input);
    expect(computedLength).toBe(length);
    expect(computedEntropy).toBeCloseTo(entropy, 6);
    expect(vowelProportion! * length).toBeCloseTo(vowels, 12);
  });

  it('gives the reference entropies of google (1.918296) and aaaa (0)', () => {
    expect(compute('google')[1]).toBeCloseTo(1.918296, 6);
    expect(compute('aaaa')[1]).toBe(0);
    expect(Object.is(compute('a')[1], 0)).toBe(true);
  });

  it('matches hand-computed values on a short label', () => {
    // "ab-1a": a×2, b, -, 1 → H = −(0.4·log2 0.4 + 3·0.2·log2 0.2)
    const features = compute('ab-1a', 'extended');
    const names = getFeatureSet('extended').featureNames;
    const byName = Object.fromEntries(names.map((name, index) => [name, features[index]]));
    expect(byName['length']).toBe(5);
    expect(byName['entropy']).toBeCloseTo(-(0.4 * Math.log2(0.4) + 3 * 0.2 * Math.log2(0.2)), 14);
    expect(byName['entropy']).toBeCloseTo(1.921928, 6);
    expect(byName['vowel_proportion']).toBe(0.4);
    expect(byName['digit_ratio']).toBe(0.2);
    expect(byName['consonant_ratio']).toBe(0.2);
    expect(byName['freq_a']).toBe(0.4);
    expect(byName['freq_b']).toBe(0.2);
    expect(byName['freq_1']).toBe(0.2);
    expect(byName['freq_-']).toBe(0.2);
    expect(byName['freq_z']).toBe(0);
  });

  it('counts uppercase vowels but only lowercase consonants and letters, as countbyfilter is case-sensitive', () => {
    const features = compute('AbC', 'extended');
    expect(features[2]).toBeCloseTo(1 / 3, 15); // A
    expect(features[4]).toBeCloseTo(1 / 3, 15); // b only
    expect(features[5]).toBe(0); // freq_a ignores A
  });

  it('counts characters as UTF-16 code units (Java String.length semantics)', () => {
    // "😀" is one code point but two code units; "é" precomposed is one unit.
    expect(compute('😀')[0]).toBe(2);
    expect(compute('😀')[1]).toBe(1);
    expect(compute('é')[0]).toBe(1);
  });

  it('flags exactly the English bigrams the label contains, case-sensitively, repeats once', () => {
    const names = getFeatureSet('bigram').featureNames;
    const flagged = (label: string): string[] =>
      names.filter((name, index) => name.startsWith('bigram_') && compute(label, 'bigram')[index] === 1).map((name) => name.slice(7));
    // "thinking": th hi in nk ki in ng — `in` twice, `nk` not in the list.
    expect(flagged('thinking').sort()).toEqual(['hi', 'in', 'ki', 'ng', 'th']);
    expect(flagged('THINGinG')).toEqual(['in']);
    expect(flagged('xq7zj')).toEqual([]);
    expect(flagged('a')).toEqual([]);
    // Non-ASCII neighbours do not alias onto ASCII pairs (the pair table is indexed by 7-bit codes).
    expect(flagged('\u0169n\u0165h')).toEqual([]);
    expect(compute('thinking', 'bigram').slice(0, 42)).toEqual(compute('thinking', 'extended'));
  });

  it('resets its shared counts between labels', () => {
    const first = compute('aaaaaaaaaaaaaab', 'extended');
    compute('zzzz', 'extended');
    expect(compute('aaaaaaaaaaaaaab', 'extended')).toEqual(first);
    expect(compute('b', 'extended')[1]).toBe(0);
  });

  it('writes at an offset and leaves the rest of the buffer alone', () => {
    const out = new Float32Array(8).fill(-1);
    getFeatureSet('tutorial').compute('google', out, 4);
    expect([...out.slice(0, 4)]).toEqual([-1, -1, -1, -1]);
    expect(out[4]).toBe(6);
    expect(out[5]).toBe(Math.fround(1.9182958340544893));
    expect(out[7]).toBe(-1);
  });

  it('throws ERR_FEATURES_EMPTY_LABEL for the empty label', () => {
    expect(() => compute('')).toThrowError(expect.objectContaining({ code: 'ERR_FEATURES_EMPTY_LABEL' }));
  });

  it('throws ERR_FEATURES_INVALID_OPTION when the buffer is too short or the offset is bad', () => {
    const set = getFeatureSet('extended');
    expect(() => set.compute('abc', new Float64Array(41))).toThrowError(/buffer of length 41/);
    expect(() => set.compute('abc', new Float64Array(50), 9)).toThrowError(expect.objectContaining({ code: 'ERR_FEATURES_INVALID_OPTION' }));
    expect(() => set.compute('abc', new Float64Array(50), -1)).toThrowError(expect.objectContaining({ code: 'ERR_FEATURES_INVALID_OPTION' }));
    expect(() => set.compute('abc', new Float64Array(50), 0.5)).toThrowError(expect.objectContaining({ code: 'ERR_FEATURES_INVALID_OPTION' }));
  });
});

describe('FeatureSet.compute properties', () => {
  const anyCodeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), minLength: 1 });
  const anyCodePoints = fc.string({ unit: 'binary', minLength: 1 });
  const labelLike = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-AEIOU'), minLength: 1, maxLength: 63 });

  /**
   * Every way `label` disagrees with the reference or breaks a range, as readable strings: checked
   * in plain code and asserted once per label, so a run costs microseconds rather than one
   * `expect` per feature (that kept these tests near vitest's timeout on slow machines).
   */
  function violations(label: string, actual: typeof compute = compute): string[] {
    const found: string[] = [];
    for (const set of featureSetNames) {
      const features = actual(label, set);
      const expected = referenceFeatures(label, set);
      if (features.length !== expected.length) found.push(`${set}: ${features.length} features, expected ${expected.length}`);
      for (let index = 0; index < features.length; index++) {
        const value = features[index]!;
        // Same tolerance as toBeCloseTo(expected, 12).
        if (!Number.isFinite(value) || !(Math.abs(value - expected[index]!) < 5e-13)) found.push(`${set}[${index}] = ${value}, expected ${expected[index]}`);
        // Entropy is within [0, log2(length)]; proportions within [0, 1].
        if (index === 1 && !(value >= 0 && value <= Math.log2(label.length) + 1e-12)) found.push(`${set}[1] entropy ${value} out of range`);
        const codes = getFeatureSet(set).characterCodes;
        if (codes !== undefined && index >= codes.offset) {
          if (!(Number.isInteger(value) && value >= 0 && value <= codes.alphabet.length)) found.push(`${set}[${index}] = ${value} is not a character code`);
        } else if (index >= 2 && !(value >= 0 && value <= 1)) found.push(`${set}[${index}] = ${value} is not a proportion`);
      }
    }
    return found;
  }

  it('the checker reports a feature off by 1e-9, a NaN and an out-of-range proportion', () => {
    expect(violations('google')).toEqual([]);
    const skewed = (label: string, set?: FeatureSetName): Float64Array => {
      const out = compute(label, set);
      out[0] = Number.NaN;
      out[1]! += 1e-9;
      out[2] = 1.5;
      return out;
    };
    const found = violations('google', skewed);
    expect(found).toContain('tutorial[0] = NaN, expected 6');
    expect(found.some((line) => line.startsWith('tutorial[1] = '))).toBe(true);
    expect(found).toContain('tutorial[2] = 1.5 is not a proportion');
  });

  // Sized to a budget: 300 runs per arbitrary take about 0.2 s here (one assertion per label, not
  // one per feature); the explicit timeout leaves a wide margin for a slow or loaded machine.
  it.each([
    ['lone surrogates and any code unit', anyCodeUnits],
    ['any code point', anyCodePoints],
    ['label-like strings', labelLike],
  ] as const)(
    'agrees with a Map-based implementation and stays finite on %s',
    (_name, strings) => {
      fc.assert(
        fc.property(strings, (label) => {
          expect(violations(label)).toEqual([]);
        }),
        { seed: 42, numRuns: 300 },
      );
    },
    30_000,
  );

  it('gives the same features whichever labels came before (no state leaks)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', minLength: 1 }), { minLength: 1, maxLength: 5 }), (labels) => {
        const alone = labels.map((label) => compute(label, 'bigram'));
        for (let index = labels.length - 1; index >= 0; index--) {
          expect(compute(labels[index]!, 'bigram')).toEqual(alone[index]);
        }
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});

/**
 * Where `actual` (one row of `set` per label, float64 or float32) differs from the reference by
 * even one bit (the reference rounded to float32 for a Float32Array), as readable strings.
 */
function bitDifferences(labels: readonly string[], set: FeatureSetName, actual: Float32Array | Float64Array): string[] {
  const size = getFeatureSet(set).size;
  const round = actual instanceof Float32Array ? Math.fround : (value: number): number => value;
  const found: string[] = [];
  labels.forEach((label, row) => {
    const expected = referenceFeatures(label, set);
    for (let index = 0; index < size && found.length <= 10; index++) {
      const value = actual[row * size + index]!;
      if (!Object.is(value, round(expected[index]!))) found.push(`${set} ${JSON.stringify(label.slice(0, 40))}[${getFeatureSet(set).featureNames[index]}] = ${value}, expected ${round(expected[index]!)}`);
    }
  });
  return found;
}

describe('featurizeLabels and compute, bit for bit', () => {
  const everyCodeUnit = Array.from({ length: 65536 }, (_unused, code) => String.fromCharCode(code)).join('');
  const adversarial = [
    'a', 'A', 'z', '-', '0', 'é', '😀', '\ud800', '\udfff\ud800', '\u0000', '\u007f\u0080', 'GOOGLE', 'AeIoUaeiou', 'ñaña', 'tést-ünïcode',
    'x'.repeat(253), 'ab'.repeat(127), 'aeb1-'.repeat(60) + '😀', 'a'.repeat(63), 'ab'.repeat(32), 'abc'.repeat(21) + 'de',
    Array.from({ length: 128 }, (_unused, code) => String.fromCharCode(code)).join(''),
    // Every code unit once, then repeats: the most distinct characters a label can have.
    everyCodeUnit + 'aa',
    'google', 'xjw3kq9zt1lmp0a',
  ];

  it.each(featureSetNames)('equals the reference on adversarial labels (%s): non-ASCII, astral, lone surrogates, 1 and 253+ characters, uppercase', (set) => {
    expect(bitDifferences(adversarial, set, featurizeLabels(adversarial, { featureSet: set }))).toEqual([]);
    const wide = new Float64Array(adversarial.length * getFeatureSet(set).size);
    adversarial.forEach((label, row) => getFeatureSet(set).compute(label, wide, row * getFeatureSet(set).size));
    expect(bitDifferences(adversarial, set, wide)).toEqual([]);
  }, 60_000);

  it('gives each label of a batch the features it has alone, whatever came before', () => {
    const anyLabel = fc.string({ unit: fc.oneof(fc.constantFrom(...'abcdeiouAEIOU0-'), fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code))), minLength: 1, maxLength: 80 });
    fc.assert(
      fc.property(fc.array(anyLabel, { minLength: 1, maxLength: 8 }), (labels) => {
        for (const set of featureSetNames) expect(bitDifferences(labels, set, featurizeLabels(labels, { featureSet: set }))).toEqual([]);
      }),
      { seed: 42, numRuns: 200 },
    );
  }, 60_000);
});

describe.skipIf(requireSharedData('dga-training.csv'))('FeatureSet.compute and featurizeLabels on the real training data', () => {
  it('equal the Map-based implementation (200 substring searches for the bigrams) on every label, in float64 and float32', () => {
    const labels = [...new Set(readFileSync(sharedDataFile('dga-training.csv'), 'utf8').split('\n').slice(1).map((line) => line.split(';')[1] ?? '').filter((label) => label !== ''))];
    const set = getFeatureSet('ngram');
    const wide = new Float64Array(set.size);
    const narrow = new Float32Array(set.size);
    // tutorial, extended and bigram are prefixes of ngram, so its reference row checks them too;
    // char (bigram, then the character codes) has its own.
    const batches = featureSetNames.map((name) => ({ name, size: getFeatureSet(name).size, rows: featurizeLabels(labels, { featureSet: name }) }));
    const found: string[] = [];
    labels.forEach((label, row) => {
      if (found.length > 10) return;
      const expected = referenceFeatures(label, 'ngram');
      set.compute(label, wide);
      set.compute(label, narrow);
      for (let index = 0; index < set.size; index++) {
        // Bit-exact: the model sees exactly the features the reference defines.
        if (!Object.is(wide[index], expected[index]) || !Object.is(narrow[index], Math.fround(expected[index]!))) {
          found.push(`compute ${label}[${set.featureNames[index]}] = ${wide[index]} / ${narrow[index]}, expected ${expected[index]}`);
        }
      }
      for (const batch of batches) {
        const reference = batch.name === 'char' ? referenceFeatures(label, 'char') : expected;
        for (let index = 0; index < batch.size; index++) {
          if (!Object.is(batch.rows[row * batch.size + index], Math.fround(reference[index]!))) {
            found.push(`featurizeLabels ${batch.name} ${label}[${getFeatureSet(batch.name).featureNames[index]}] = ${batch.rows[row * batch.size + index]}, expected ${reference[index]}`);
          }
        }
      }
    });
    expect(found).toEqual([]);
    expect(labels.length).toBeGreaterThan(100_000);
  }, 120_000);
});
