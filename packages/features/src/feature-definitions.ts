import { ENGLISH_BIGRAMS, RARE_ENGLISH_BIGRAMS } from './english-bigrams';

/**
 * One feature: its name, its TypeScript computation and its Devo LINQ twin, defined together so
 * the two cannot drift.
 */
export interface FeatureDefinition {
  /** Name in the model contract: `length`, `entropy`, `vowel_proportion`, `freq_a`, `freq_-`, ... */
  readonly name: string;
  /** A LINQ-safe column name for this feature: the `name`, with `freq_-` spelled `freq_hyphen`. */
  readonly column: string;
  /** One sentence saying what the feature measures. */
  readonly description: string;
  /**
   * The LINQ expression computing this feature from `labelExpression`, a LINQ expression (usually
   * a column name such as `label`) that yields the domain label.
   *
   * @example
   * getFeatureSet('tutorial').features[2]!.linq('label');
   * // 'float(countbyfilter(label, "aeiouAEIOU")) / float(length(label))'
   */
  linq(labelExpression: string): string;
  /**
   * A string constant the LINQ expression reads from a column, defined once per query
   * (`"value" as column`) so a long table is not repeated inside the expression. Only the `ngram`
   * set's pair shares have one.
   */
  readonly linqConstant?: { readonly column: string; readonly value: string };
}

/**
 * How a feature is computed from the label's character counts; the feature set compiles these
 * into one allocation-free pass (see `feature-set.ts`).
 */
export type FeatureKind =
  | { readonly type: 'length' }
  | { readonly type: 'entropy' }
  /** (number of characters of the label that are in `characters`) / length. */
  | { readonly type: 'proportion'; readonly characters: string }
  /** 1 if the label contains the two-letter string `bigram` (case-sensitive), else 0. */
  | { readonly type: 'bigram'; readonly bigram: string }
  /**
   * Share of the label's first `min(length − 1, maxPairs)` adjacent character pairs that are in
   * `pairs` (0 for a one-character label).
   */
  | { readonly type: 'pairShare'; readonly pairs: readonly string[]; readonly maxPairs: number }
  /**
   * The code of the label's character at `position` (from 0): 1 + its index in `alphabet`, 0 for
   * a character outside the alphabet and for a position at or beyond the label's end.
   */
  | { readonly type: 'characterCode'; readonly position: number; readonly alphabet: string };

/** @internal A definition plus how to compute it. */
export interface FeatureSpec extends FeatureDefinition {
  readonly kind: FeatureKind;
}

const lengthFeature: FeatureSpec = {
  name: 'length',
  column: 'length',
  description: 'Number of characters of the label.',
  linq: (label) => `float(length(${label}))`,
  kind: { type: 'length' },
};

const entropyFeature: FeatureSpec = {
  name: 'entropy',
  column: 'entropy',
  description: 'Shannon entropy of the label in bits per character (−Σ p·log₂ p over character frequencies).',
  linq: (label) => `shannonentropy(${label})`,
  kind: { type: 'entropy' },
};

/** A feature = (number of characters of the label that are in `chars`) / length. */
function proportionFeature(name: string, column: string, description: string, chars: string): FeatureSpec {
  if (!/^[\x21-\x7e]+$/.test(chars) || /["'\\]/.test(chars) || new Set(chars).size !== chars.length) {
    throw new Error(`internal: bad character set ${JSON.stringify(chars)} for feature ${name}`);
  }
  const literal = `"${chars}"`;
  return {
    name,
    column,
    description,
    // `float(...) / float(...)`: float division (an integer `/` would truncate to 0).
    linq: (label) => `float(countbyfilter(${label}, ${literal})) / float(length(${label}))`,
    kind: { type: 'proportion', characters: chars },
  };
}

/** Vowels counted by `vowel_proportion`, both cases, as in the tutorial's `countbyfilter`. */
export const VOWELS = 'aeiouAEIOU';
/** Characters counted by `digit_ratio`. */
export const DIGITS = '0123456789';
/** Characters counted by `consonant_ratio` (lowercase: labels are lowercased by `extractLabel`). */
export const CONSONANTS = 'bcdfghjklmnpqrstvwxyz';

const vowelProportion = proportionFeature(
  'vowel_proportion',
  'vowel_proportion',
  'Share of characters that are vowels (aeiouAEIOU).',
  VOWELS,
);
const digitRatio = proportionFeature('digit_ratio', 'digit_ratio', 'Share of characters that are digits (0-9).', DIGITS);
const consonantRatio = proportionFeature(
  'consonant_ratio',
  'consonant_ratio',
  'Share of characters that are lowercase consonants (bcdfghjklmnpqrstvwxyz).',
  CONSONANTS,
);

const frequencyCharacters = [...'abcdefghijklmnopqrstuvwxyz0123456789-'];
const frequencies: FeatureSpec[] = frequencyCharacters.map((character) =>
  proportionFeature(
    `freq_${character}`,
    character === '-' ? 'freq_hyphen' : `freq_${character}`,
    `Share of characters equal to "${character}".`,
    character,
  ),
);

/**
 * A feature = 1 if the label contains `bigram`, else 0. The LINQ twin is `label -> "xy"`: Devo's
 * case-sensitive contains (catalogue evidence, its case sensitivity checked against the live API),
 * whose meaning does not depend on how `split` treats trailing empty pieces. Labels are lowercase
 * (the query lowercases the host), so case sensitivity does not matter either.
 */
function bigramFeature(bigram: string): FeatureSpec {
  if (!/^[a-z]{2}$/.test(bigram)) throw new Error(`internal: bad bigram ${JSON.stringify(bigram)}`);
  return {
    name: `bigram_${bigram}`,
    column: `bigram_${bigram}`,
    description: `1 if the label contains "${bigram}", else 0.`,
    linq: (label) => `ifthenelse(${label} -> "${bigram}", 1, 0)`,
    kind: { type: 'bigram', bigram },
  };
}

/** Adjacent character pairs a pair share looks at: the first 24, i.e. the first 25 characters. */
export const PAIR_SHARE_MAX_PAIRS = 24;

/**
 * A feature = share of the label's first `min(length − 1, 24)` adjacent character pairs that are
 * in `pairs`: an n-gram plausibility measure over a fixed dictionary table. The LINQ twin tests
 * each position `i` with `table -> substring(label, …)` against the column `table`, which holds
 * the pairs joined by `|` (a two-character needle of label characters can only match a whole
 * entry), guarded by `length(label) > i + 1` so no position past the label counts. What Devo's
 * `substring` does out of range is unknown and both branches of `ifthenelse` may be evaluated, so
 * the call itself stays in range: start `i` clamped to 0 and width 2 clamped to 1 for shorter labels.
 */
function pairShareFeature(name: string, description: string, pairs: readonly string[]): FeatureSpec {
  if (!pairs.every((pair) => /^[a-z]{2}$/.test(pair))) throw new Error(`internal: bad pair table for feature ${name}`);
  const column = `${name}_table`;
  return {
    name,
    column: name,
    description,
    linqConstant: { column, value: pairs.join('|') },
    linq: (label) => {
      const positions: string[] = [];
      const width = `ifthenelse(length(${label}) > 1, 2, 1)`;
      for (let index = 0; index < PAIR_SHARE_MAX_PAIRS; index++) {
        const inside = `length(${label}) > ${index + 1}`;
        const pair = `substring(${label}, ${index === 0 ? '0' : `ifthenelse(${inside}, ${index}, 0)`}, ${width})`;
        positions.push(`ifthenelse(${inside}, ifthenelse(${column} -> ${pair}, 1, 0), 0)`);
      }
      const pairCount = `ifthenelse(length(${label}) > ${PAIR_SHARE_MAX_PAIRS + 1}, ${PAIR_SHARE_MAX_PAIRS}, length(${label}) - 1)`;
      return `ifthenelse(length(${label}) > 1, float(${positions.join(' + ')}) / float(${pairCount}), 0.0)`;
    },
    kind: { type: 'pairShare', pairs, maxPairs: PAIR_SHARE_MAX_PAIRS },
  };
}

/** The tutorial's three features, in the model's input order. */
export const tutorialFeatures: readonly FeatureSpec[] = [lengthFeature, entropyFeature, vowelProportion];

/** The 42 features of the `extended` set, in the model's input order. */
export const extendedFeatures: readonly FeatureSpec[] = [
  ...tutorialFeatures,
  digitRatio,
  consonantRatio,
  ...frequencies,
];

/**
 * The 242 features of the `bigram` set, in the model's input order: the 42 `extended` features,
 * then one presence flag per {@link ENGLISH_BIGRAMS} entry (most frequent English bigram first).
 */
export const bigramFeatures: readonly FeatureSpec[] = [...extendedFeatures, ...ENGLISH_BIGRAMS.map(bigramFeature)];

/**
 * The 244 features of the `ngram` set, in the model's input order: the 242 `bigram` features, then
 * two pair shares over the first 25 characters: `english_pair_share` (pairs among the
 * {@link ENGLISH_BIGRAMS}) and `rare_pair_share` (pairs among the {@link RARE_ENGLISH_BIGRAMS}).
 * Per-position shares say how English-like the whole label reads, which the presence flags do
 * not: a long random label contains many frequent bigrams somewhere, but few of its pairs are.
 */
export const ngramFeatures: readonly FeatureSpec[] = [
  ...bigramFeatures,
  pairShareFeature('english_pair_share', 'Share of the first 24 adjacent character pairs that are among the 200 most frequent English bigrams.', ENGLISH_BIGRAMS),
  pairShareFeature('rare_pair_share', 'Share of the first 24 adjacent character pairs that are letter bigrams English words almost never contain.', RARE_ENGLISH_BIGRAMS),
];

/** The characters a `char` feature codes, in code order: `a` is 1, `-` is 37 (0: none or other). */
export const CHARACTER_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789-';

/** The label positions the `char` set codes: characters 0…23. */
export const CHARACTER_POSITIONS = 24;

/**
 * A feature = the code of the label's character at `position`: 1 + its index in
 * {@link CHARACTER_ALPHABET}, 0 for any other character and beyond the label's end.
 *
 * The LINQ twin reads the alphabet from the column `char_alphabet` and takes the character with
 * `substring(label, i', 1)`. Guarded by `length(label) > i`, with the start `i'` clamped to 0 so
 * the call stays in range even if Devo evaluates both branches of `ifthenelse`; the character is
 * coded only if the alphabet contains it (`->`), so `locate`'s not-found value never counts; and
 * its index is `locate(char_alphabet, c) − locate(char_alphabet, "a") + 1`, the same whether
 * `locate` counts from 0 or from 1 (`a` is the alphabet's first character).
 */
function characterCodeFeature(position: number): FeatureSpec {
  const column = CHARACTER_ALPHABET_COLUMN;
  return {
    name: `char_${position}`,
    column: `char_${position}`,
    description: `Code of the label's character at position ${position} (from 0): 1-37 for a-z, 0-9, "-"; 0 for another character or beyond the end.`,
    linqConstant: { column, value: CHARACTER_ALPHABET },
    linq: (label) => {
      const inside = `length(${label}) > ${position}`;
      const character = `substring(${label}, ${position === 0 ? '0' : `ifthenelse(${inside}, ${position}, 0)`}, 1)`;
      const code = `locate(${column}, ${character}) - locate(${column}, "a") + 1`;
      return `ifthenelse(${inside}, ifthenelse(${column} -> ${character}, ${code}, 0), 0)`;
    },
    kind: { type: 'characterCode', position, alphabet: CHARACTER_ALPHABET },
  };
}

/** The column holding {@link CHARACTER_ALPHABET} in a `char` query. */
const CHARACTER_ALPHABET_COLUMN = 'char_alphabet';

/**
 * The 266 features of the `char` set, in the model's input order: the 242 `bigram` features, then
 * `char_0` … `char_23`, the codes of the label's first 24 characters (0 beyond the end). The
 * `char` preset one-hot encodes them inside the model (a character branch beside the feature
 * branch).
 */
export const charFeatures: readonly FeatureSpec[] = [
  ...bigramFeatures,
  ...Array.from({ length: CHARACTER_POSITIONS }, (_, position) => characterCodeFeature(position)),
];
