import { extendedFeatures, tutorialFeatures, type FeatureDefinition, type FeatureSpec } from './feature-definitions';
import { FeaturesError, quoteInput } from './features-error';
import { sharedLabelStats } from './internal/label-stats';

/** Names of the feature sets. */
export type FeatureSetName = 'tutorial' | 'extended';

/**
 * A named, versioned, ordered list of features. The order is the model's input order.
 *
 * The empty label has no defined features (every proportion would be 0/0), so `compute('')`
 * throws `ERR_FEATURES_EMPTY_LABEL`; for every non-empty string the features are finite.
 */
export interface FeatureSet {
  readonly name: FeatureSetName;
  /** Bumped whenever any feature's meaning changes; recorded in models as `dga.feature_set_version`. */
  readonly version: number;
  readonly features: readonly FeatureDefinition[];
  /** `features.length`: 3 for `tutorial`, 42 for `extended`. */
  readonly size: number;
  /** The feature names in input order (`features.map(f => f.name)`). */
  readonly featureNames: readonly string[];
  /**
   * Writes the features of `label` into `out[offset … offset + size - 1]`. Hot path: allocates
   * nothing. Characters are UTF-16 code units (see the package README).
   *
   * @param offset - first index written. @default 0
   * @throws FeaturesError `ERR_FEATURES_EMPTY_LABEL` for `''`; `ERR_FEATURES_INVALID_OPTION` if `out` is too short.
   * @example
   * const set = getFeatureSet('tutorial');
   * const out = new Float64Array(set.size);
   * set.compute('google', out); // [6, 1.918295…, 0.5]
   */
  compute(label: string, out: Float32Array | Float64Array, offset?: number): void;
}

/** Every feature set name, in a stable order. */
export const featureSetNames: readonly FeatureSetName[] = Object.freeze(['tutorial', 'extended'] as const);

function createFeatureSet(name: FeatureSetName, version: number, specs: readonly FeatureSpec[]): FeatureSet {
  const size = specs.length;
  const evaluators = specs.map((spec) => spec.evaluate);
  const stats = sharedLabelStats;
  return Object.freeze({
    name,
    version,
    features: Object.freeze([...specs]),
    size,
    featureNames: Object.freeze(specs.map((spec) => spec.name)),
    compute(label: string, out: Float32Array | Float64Array, offset = 0): void {
      if (label.length === 0) {
        throw new FeaturesError(
          'ERR_FEATURES_EMPTY_LABEL',
          `Cannot compute the "${name}" features of the empty label: length 0 leaves every proportion undefined. ` +
            'Drop empty labels before featurizing (extractLabel never returns one).',
          { input: label },
        );
      }
      if (!(offset >= 0 && offset + size <= out.length && Number.isInteger(offset))) {
        throw new FeaturesError(
          'ERR_FEATURES_INVALID_OPTION',
          `Cannot write ${size} "${name}" features at offset ${offset} of a buffer of length ${out.length}. ` +
            'Pass a buffer of at least offset + set.size elements.',
          { input: String(offset) },
        );
      }
      stats.load(label);
      for (let index = 0; index < size; index++) out[offset + index] = evaluators[index]!(stats);
    },
  });
}

const featureSets: Readonly<Record<FeatureSetName, FeatureSet>> = {
  tutorial: createFeatureSet('tutorial', 1, tutorialFeatures),
  extended: createFeatureSet('extended', 1, extendedFeatures),
};

/**
 * The feature set called `name`.
 *
 * @default name 'extended' is what `featurizeDomain` and friends use when no set is given.
 * @throws FeaturesError `ERR_FEATURES_UNKNOWN_SET` for any other name.
 * @example
 * const set = getFeatureSet('extended');
 * set.size; // 42
 */
export function getFeatureSet(name: FeatureSetName): FeatureSet {
  const set = Object.hasOwn(featureSets, name) ? featureSets[name] : undefined;
  if (set === undefined) {
    throw new FeaturesError(
      'ERR_FEATURES_UNKNOWN_SET',
      `Unknown feature set ${quoteInput(String(name))}. Use one of: ${featureSetNames.join(', ')}.`,
      { input: String(name) },
    );
  }
  return set;
}

/** The feature set used when none is given. */
export const DEFAULT_FEATURE_SET: FeatureSetName = 'extended';
