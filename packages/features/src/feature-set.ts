import { bigramFeatures, charFeatures, extendedFeatures, ngramFeatures, tutorialFeatures, type FeatureDefinition, type FeatureSpec } from './feature-definitions';
import { FeaturesError, quoteInput } from './features-error';
import { sharedLabelStats, type LabelStats } from './internal/label-stats';

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
 * generated labels and on every label of the training data). The label's counts are loaded once;
 * then the proportion and bigram slots are zeroed in a few contiguous fills, each distinct ASCII
 * character adds its count to the proportion slots it belongs to (through a character → slots
 * table), those slots are divided by the length, and the bigram flags come from one scan of
 * adjacent character pairs through a pair → slot table; each pair share scans its first pairs
 * through a pair → membership table. No allocation per call.
 */
function compileCompute(
  specs: readonly FeatureSpec[],
): (stats: LabelStats, label: string, out: Float32Array | Float64Array, offset: number) => void {
  const lengthSlots: number[] = [];
  const entropySlots: number[] = [];
  const proportionSlots: number[] = [];
  const slotsOfCharacter: number[][] = Array.from({ length: 128 }, () => []);
  const bigramSlotOf = new Int32Array(specs.some((spec) => spec.kind.type === 'bigram') ? 1 << 14 : 0);
  // Runs of consecutive slots that start at 0 for every label (proportions and bigram flags).
  const zeroRuns: number[] = [];
  const shareSlots: number[] = [];
  const shareTables: Uint8Array[] = [];
  const shareMaxPairs: number[] = [];
  specs.forEach((spec, slot) => {
    const kind = spec.kind;
    if (kind.type === 'characterCode') return; // written by compileCharacterCodes
    if (kind.type === 'length') lengthSlots.push(slot);
    else if (kind.type === 'pairShare') {
      // table[(first << 7) | second] = 1 for each pair of the table; ASCII only.
      const table = new Uint8Array(1 << 14);
      for (const pair of kind.pairs) table[(pair.charCodeAt(0) << 7) | pair.charCodeAt(1)] = 1;
      shareSlots.push(slot);
      shareTables.push(table);
      shareMaxPairs.push(kind.maxPairs);
    }
    else if (kind.type === 'entropy') entropySlots.push(slot);
    else {
      if (zeroRuns.length > 0 && zeroRuns[zeroRuns.length - 1] === slot) zeroRuns[zeroRuns.length - 1] = slot + 1;
      else zeroRuns.push(slot, slot + 1);
      if (kind.type === 'bigram') {
        // bigramSlotOf[(first << 7) | second] = slot + 1 of that bigram's flag (0: not a feature); ASCII only.
        bigramSlotOf[(kind.bigram.charCodeAt(0) << 7) | kind.bigram.charCodeAt(1)] = slot + 1;
      } else {
        proportionSlots.push(slot);
        for (let index = 0; index < kind.characters.length; index++) slotsOfCharacter[kind.characters.charCodeAt(index)]!.push(slot);
      }
    }
  });
  const lengths = Int32Array.from(lengthSlots);
  const entropies = Int32Array.from(entropySlots);
  const proportions = Int32Array.from(proportionSlots);
  const runs = Int32Array.from(zeroRuns);
  // The slots of character c are characterSlots[characterStart[c] … characterStart[c + 1] - 1].
  const characterStart = new Int32Array(129);
  slotsOfCharacter.forEach((slots, code) => (characterStart[code + 1] = characterStart[code]! + slots.length));
  const characterSlots = Int32Array.from(slotsOfCharacter.flat());
  const hasBigrams = bigramSlotOf.length > 0;
  return (stats, label, out, offset) => {
    const length = stats.length;
    const counts = stats.counts;
    const touched = stats.touched;
    const distinct = stats.distinct;
    for (let index = 0; index < lengths.length; index++) out[offset + lengths[index]!] = length;
    if (entropies.length > 0) {
      const entropy = stats.entropy();
      for (let index = 0; index < entropies.length; index++) out[offset + entropies[index]!] = entropy;
    }
    for (let index = 0; index < runs.length; index += 2) {
      const start = offset + runs[index]!;
      const end = offset + runs[index + 1]!;
      // A builtin call costs more than a few stores: short runs are zeroed in the loop.
      if (end - start <= 8) for (let slot = start; slot < end; slot++) out[slot] = 0;
      else out.fill(0, start, end);
    }
    if (proportions.length > 0) {
      for (let character = 0; character < distinct; character++) {
        const code = touched[character]!;
        if (code >= 128) continue;
        const count = counts[code]!;
        for (let index = characterStart[code]!; index < characterStart[code + 1]!; index++) out[offset + characterSlots[index]!]! += count;
      }
      // count / length (not count * (1 / length)): the same rounding as LINQ's float division. The
      // counts are small integers, exact in float32 and float64 alike.
      for (let index = 0; index < proportions.length; index++) {
        const slot = offset + proportions[index]!;
        out[slot] = out[slot]! / length;
      }
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
}

/**
 * The `characterCode` features' pass: a character → code table over ASCII, then one store per
 * coded position (0 beyond the label's end). Undefined when the set has none. The codes must be
 * consecutive features of one alphabet, as {@link FeatureSet.characterCodes} describes them.
 */
function compileCharacterCodes(specs: readonly FeatureSpec[]): { fill: (label: string, out: Float32Array | Float64Array, offset: number) => void; layout: NonNullable<FeatureSet['characterCodes']> } | undefined {
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

function createFeatureSet(name: FeatureSetName, version: number, specs: readonly FeatureSpec[]): FeatureSet {
  const size = specs.length;
  const fill = compileCompute(specs);
  const characterCodes = compileCharacterCodes(specs);
  const stats = sharedLabelStats;
  return Object.freeze({
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
      stats.load(label);
      fill(stats, label, out, offset);
      characterCodes?.fill(label, out, offset);
    },
  });
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
