import { extractLabel, type PslMode } from './extract-label';
import { FeaturesError, quoteInput } from './features-error';
import { DEFAULT_FEATURE_SET, fillFeatureRows, getFeatureSet, type FeatureSetName } from './feature-set';

/** Options shared by the featurize functions. */
export interface FeaturizeOptions {
  /** Which feature set to compute. @default 'bigram' */
  featureSet?: FeatureSetName;
  /** Public Suffix List rules of the label (see `PslMode`). @default 'all' */
  psl?: PslMode;
}

/** One featurized input. */
export interface FeaturizedDomain {
  /** The input as given (URL or host). */
  input: string;
  /** The label the features were computed from (`extractLabel(input)`). */
  label: string;
  /** The features in the set's order. */
  features: Float64Array;
}

/**
 * Extracts the label of a URL or host and computes its features. A bare label is a single-label
 * host and has none (`google` throws); featurize labels you already have with {@link featurizeLabels}.
 *
 * @throws FeaturesError from {@link extractLabel} when the input has no label.
 * @example
 * featurizeDomain('https://www.google.com/x', { featureSet: 'tutorial' });
 * // { input: 'https://www.google.com/x', label: 'google', features: Float64Array [6, 1.918…, 0.5] }
 */
export function featurizeDomain(input: string, options: FeaturizeOptions = {}): FeaturizedDomain {
  const set = getFeatureSet(options.featureSet ?? DEFAULT_FEATURE_SET);
  const label = extractLabel(input, options.psl === undefined ? {} : { psl: options.psl });
  const features = new Float64Array(set.size);
  set.compute(label, features, 0);
  return { input, label, features };
}

/** Options of {@link featurizeLabels}. */
export interface FeaturizeLabelsOptions extends FeaturizeOptions {
  /** A buffer to fill instead of allocating one; needs `labels.length × size` elements. @default a new Float32Array */
  out?: Float32Array;
}

/**
 * Batch API: computes the features of already-extracted labels into one row-major
 * `labels.length × size` Float32Array (the layout a tfjs/ONNX `[N, size]` input expects).
 *
 * @throws FeaturesError `ERR_FEATURES_EMPTY_LABEL` naming the index of an empty label.
 * @example
 * const matrix = featurizeLabels(['google', 'xjw3kq9zt1lmp0a'], { featureSet: 'tutorial' });
 * matrix.length; // 6
 */
export function featurizeLabels(labels: readonly string[], options: FeaturizeLabelsOptions = {}): Float32Array {
  const set = getFeatureSet(options.featureSet ?? DEFAULT_FEATURE_SET);
  const size = set.size;
  const out = options.out ?? new Float32Array(labels.length * size);
  if (out.length < labels.length * size) {
    throw new FeaturesError(
      'ERR_FEATURES_INVALID_OPTION',
      `featurizeLabels: options.out has ${out.length} elements but ${labels.length} labels × ${size} features need ` +
        `${labels.length * size}. Pass a larger buffer or omit options.out.`,
    );
  }
  const empty = fillFeatureRows(set, labels, out);
  if (empty >= 0) {
    throw new FeaturesError(
      'ERR_FEATURES_EMPTY_LABEL',
      `featurizeLabels: the label at index ${empty} is empty, so its features are undefined. ` +
        'Drop empty labels before featurizing.',
      { input: '' },
    );
  }
  return out;
}

/** Options of {@link featurizeDomains}. */
export interface FeaturizeDomainsOptions extends FeaturizeOptions {
  /**
   * What to do with an input that has no label (empty, IP address, bare suffix): `'throw'` the
   * `FeaturesError`, or `'skip'` it after calling `onSkip`. @default 'throw'
   */
  invalid?: 'throw' | 'skip';
  /** Called for each skipped input with the error explaining why (only with `invalid: 'skip'`). */
  onSkip?(input: string, error: FeaturesError): void;
}

/**
 * Streaming API: featurizes URLs or hosts from any (async) iterable, pulling one at a
 * time, so memory stays constant. Each result has its own `features` array.
 *
 * @example
 * for await (const { label, features } of featurizeDomains(['www.bbc.co.uk', 'kq3v9z1x.ru'])) {
 *   console.log(label, features[0]);
 * }
 */
export async function* featurizeDomains(
  inputs: Iterable<string> | AsyncIterable<string>,
  options: FeaturizeDomainsOptions = {},
): AsyncIterable<FeaturizedDomain> {
  const set = getFeatureSet(options.featureSet ?? DEFAULT_FEATURE_SET);
  const skip = options.invalid === 'skip';
  for await (const input of inputs) {
    if (typeof input !== 'string') {
      throw new FeaturesError(
        'ERR_FEATURES_INVALID_INPUT',
        `featurizeDomains: expected strings, got ${typeof input} (${quoteInput(String(input))}).`,
      );
    }
    let label: string;
    try {
      label = extractLabel(input, options.psl === undefined ? {} : { psl: options.psl });
    } catch (error) {
      if (skip && FeaturesError.isInstance(error)) {
        options.onSkip?.(input, error);
        continue;
      }
      throw error;
    }
    const features = new Float64Array(set.size);
    set.compute(label, features, 0);
    yield { input, label, features };
  }
}
