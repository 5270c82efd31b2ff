import { ENGLISH_BIGRAMS } from './english-bigrams';

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
  | { readonly type: 'bigram'; readonly bigram: string };

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
