import { bigramFeatures, charFeatures, extendedFeatures, ngramFeatures, tutorialFeatures, type FeatureDefinition, type FeatureSpec } from './feature-definitions';
import { FeaturesError, quoteInput } from './features-error';
import { compileCountFeatures, isCountFeature, type LabelFiller, type RowsFiller } from './internal/count-features';

/** Names of the feature sets. */
export type FeatureSetName = 'tutorial' | 'extended' | 'bigram' | 'ngram' | 'char';

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
  /** `features.length`: 3 for `tutorial`, 42 for `extended`, 242 for `bigram`, 244 for `ngram`, 266 for `char`. */
  readonly size: number;
  /**
   * Where the set's character codes are (the `char` set's `char_0` … `char_23`), or undefined
   * when it has none: `count` consecutive features from `offset`, each 1 + the index of the
   * label's character in `alphabet` (0 for another character or beyond the end).
   */
  readonly characterCodes: { readonly offset: number; readonly count: number; readonly alphabet: string } | undefined;
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

/**
 * Every feature set name, in a stable order.
 *
 * @example
 * for (const name of featureSetNames) console.log(name, getFeatureSet(name).size); // tutorial 3, extended 42, bigram 242, ngram 244, char 266
 */
export const featureSetNames: readonly FeatureSetName[] = Object.freeze(['tutorial', 'extended', 'bigram', 'ngram', 'char'] as const);

/**
 * Compiles the feature kinds into one table-driven pass (the reference meaning of each kind is in
 * `feature-definitions.ts`; a test checks this pass against a straightforward implementation on
 * generated labels and on every label of the training data). The count features (length, entropy,
 * proportions) come from one scan of the label's characters (see `compileCountFeatures`); the
 * bigram slots are zeroed in a few contiguous fills and the flags come from one scan of adjacent
 * character pairs through a pair → slot table; each pair share scans its first pairs through a
 * pair → membership table. A set of count features only is that first pass alone. `fill` does one
 * label, `fillRows` a batch. No allocation per call.
 */
function compileCompute(specs: readonly FeatureSpec[]): { fill: LabelFiller; fillRows: RowsFiller } {
  const counted = compileCountFeatures(specs);
  const fillCounts = counted.fill;
  const bigramSlotOf = new Int32Array(specs.some((spec) => spec.kind.type === 'bigram') ? 1 << 14 : 0);
  // Runs of consecutive bigram slots, which start at 0 for every label.
  const zeroRuns: number[] = [];
  const shareSlots: number[] = [];
  const shareTables: Uint8Array[] = [];
  const shareMaxPairs: number[] = [];
  specs.forEach((spec, slot) => {
    const kind = spec.kind;
    if (isCountFeature(spec) || kind.type === 'characterCode') return; // characterCode: written by compileCharacterCodes
    if (kind.type === 'pairShare') {
      // table[(first << 7) | second] = 1 for each pair of the table; ASCII only.
      const table = new Uint8Array(1 << 14);
      for (const pair of kind.pairs) table[(pair.charCodeAt(0) << 7) | pair.charCodeAt(1)] = 1;
      shareSlots.push(slot);
      shareTables.push(table);
      shareMaxPairs.push(kind.maxPairs);
    } else if (kind.type === 'bigram') {
      if (zeroRuns.length > 0 && zeroRuns[zeroRuns.length - 1] === slot) zeroRuns[zeroRuns.length - 1] = slot + 1;
      else zeroRuns.push(slot, slot + 1);
      // bigramSlotOf[(first << 7) | second] = slot + 1 of that bigram's flag (0: not a feature); ASCII only.
      bigramSlotOf[(kind.bigram.charCodeAt(0) << 7) | kind.bigram.charCodeAt(1)] = slot + 1;
    } else {
      throw new Error(`internal: feature ${spec.name} has a kind (${kind.type}) that compileCompute does not compute`);
    }
  });
  if (zeroRuns.length === 0 && shareSlots.length === 0) return counted;
  const runs = Int32Array.from(zeroRuns);
  const hasBigrams = bigramSlotOf.length > 0;
  const fill: LabelFiller = (label, out, offset) => {
    fillCounts(label, out, offset);
    const length = label.length;
    for (let index = 0; index < runs.length; index += 2) {
      const start = offset + runs[index]!;
      const end = offset + runs[index + 1]!;
      // A builtin call costs more than a few stores: short runs are zeroed in the loop.
      if (end - start <= 8) for (let slot = start; slot < end; slot++) out[slot] = 0;
      else out.fill(0, start, end);
    }
    if (hasBigrams) {
      let previous = label.charCodeAt(0);
      for (let index = 1; index < length; index++) {
        const current = label.charCodeAt(index);
        if ((previous | current) < 128) {
          const slot = bigramSlotOf[(previous << 7) | current]!;
          if (slot !== 0) out[offset + slot - 1] = 1;
        }
        previous = current;
      }
    }
    for (let index = 0; index < shareSlots.length; index++) {
      const table = shareTables[index]!;
      const pairs = Math.min(length - 1, shareMaxPairs[index]!);
      let hits = 0;
      for (let position = 0; position < pairs; position++) {
        const first = label.charCodeAt(position);
        const second = label.charCodeAt(position + 1);
        if ((first | second) < 128 && table[(first << 7) | second] === 1) hits += 1;
      }
      // hits / pairs, as LINQ's float division computes it.
      out[offset + shareSlots[index]!] = pairs > 0 ? hits / pairs : 0;
    }
  };
  return { fill, fillRows: fillEachRow(fill) };
}

/** A batch filler that calls `fill` label by label. */
function fillEachRow(fill: LabelFiller): RowsFiller {
  return (labels, out, offset, stride) => {
    for (let row = 0, start = offset; row < labels.length; row++, start += stride) {
      const label = labels[row]!;
      if (label.length === 0) return row;
      fill(label, out, start);
    }
    return -1;
  };
}

/**
 * The `characterCode` features' pass: a character → code table over ASCII, then one store per
 * coded position (0 beyond the label's end). Undefined when the set has none. The codes must be
 * consecutive features of one alphabet, as {@link FeatureSet.characterCodes} describes them.
 */
function compileCharacterCodes(specs: readonly FeatureSpec[]): { fill: LabelFiller; layout: NonNullable<FeatureSet['characterCodes']> } | undefined {
  const first = specs.findIndex((spec) => spec.kind.type === 'characterCode');
  if (first < 0) return undefined;
  const codes = specs.slice(first).filter((spec) => spec.kind.type === 'characterCode');
  const alphabet = specs[first]!.kind.type === 'characterCode' ? specs[first]!.kind.alphabet : '';
  codes.forEach((spec, index) => {
    if (spec !== specs[first + index] || spec.kind.type !== 'characterCode' || spec.kind.position !== index || spec.kind.alphabet !== alphabet) {
      throw new Error(`internal: character codes must be consecutive features char_0, char_1, … of one alphabet (${spec.name})`);
    }
  });
  const codeOf = new Uint8Array(128);
  for (let index = 0; index < alphabet.length; index++) codeOf[alphabet.charCodeAt(index)] = index + 1;
  const count = codes.length;
  return {
    layout: { offset: first, count, alphabet },
    fill(label, out, offset) {
      const start = offset + first;
      const coded = Math.min(label.length, count);
      for (let position = 0; position < coded; position++) {
        const character = label.charCodeAt(position);
        out[start + position] = character < 128 ? codeOf[character]! : 0;
      }
      for (let position = coded; position < count; position++) out[start + position] = 0;
    },
  };
}

/**
 * @internal Featurizes `labels` into the row-major `out` (row `index` at `index × set.size`),
 * without the per-label checks of `compute`: `out` must hold `labels.length × set.size` elements.
 * Stops at the first empty label and returns its index (rows before it are written), else -1.
 */
export function fillFeatureRows(set: FeatureSet, labels: readonly string[], out: Float32Array): number {
  return rowFillers.get(set)!(labels, out, 0, set.size);
}

/** The compiled pass of each feature set, for {@link fillFeatureRows}. */
const rowFillers = new WeakMap<FeatureSet, RowsFiller>();

function createFeatureSet(name: FeatureSetName, version: number, specs: readonly FeatureSpec[]): FeatureSet {
  const size = specs.length;
  const compiled = compileCompute(specs);
  const characterCodes = compileCharacterCodes(specs);
  const codeFill = characterCodes?.fill;
  const fill: LabelFiller =
    codeFill === undefined
      ? compiled.fill
      : (label, out, offset) => {
          compiled.fill(label, out, offset);
          codeFill(label, out, offset);
        };
  const fillRows = codeFill === undefined ? compiled.fillRows : fillEachRow(fill);
  const set: FeatureSet = Object.freeze({
    name,
    version,
    features: Object.freeze([...specs]),
    size,
    featureNames: Object.freeze(specs.map((spec) => spec.name)),
    characterCodes: characterCodes === undefined ? undefined : Object.freeze({ ...characterCodes.layout }),
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
      fill(label, out, offset);
    },
  });
  rowFillers.set(set, fillRows);
  return set;
}

const featureSets: Readonly<Record<FeatureSetName, FeatureSet>> = {
  tutorial: createFeatureSet('tutorial', 1, tutorialFeatures),
  extended: createFeatureSet('extended', 1, extendedFeatures),
  bigram: createFeatureSet('bigram', 1, bigramFeatures),
  ngram: createFeatureSet('ngram', 1, ngramFeatures),
  char: createFeatureSet('char', 1, charFeatures),
};

/**
 * The feature set called `name`.
 *
 * @default name `DEFAULT_FEATURE_SET` (`bigram`) is what `featurizeDomain` and friends use when no set is given.
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

/**
 * The feature set used when none is given: `bigram`, the set of `@dga/model`'s `default` preset.
 *
 * @example
 * getFeatureSet(DEFAULT_FEATURE_SET).size; // 242
 */
export const DEFAULT_FEATURE_SET: FeatureSetName = 'bigram';
