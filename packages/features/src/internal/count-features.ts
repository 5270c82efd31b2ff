import type { FeatureSpec } from '../feature-definitions';

/** Labels shorter than this (every hostname label: at most 63) take their entropy terms from a table. */
const TERM_LENGTHS = 64;

/**
 * `ENTROPY_TERMS[length * TERM_LENGTHS + count]` = p·log₂ p for p = count / length (0 < count ≤
 * length < TERM_LENGTHS), the very expression longer labels compute: Math.log2 is most of the cost
 * of the entropy, and a table lookup gives the same term bit for bit.
 */
const ENTROPY_TERMS = new Float64Array(TERM_LENGTHS * TERM_LENGTHS);
for (let length = 1; length < TERM_LENGTHS; length++) {
  for (let count = 1; count <= length; count++) {
    const probability = count / length;
    ENTROPY_TERMS[length * TERM_LENGTHS + count] = probability * Math.log2(probability);
  }
}

/**
 * Scratch shared by every compiled set (featurization is synchronous): `COUNTS[c]` = occurrences
 * of UTF-16 code unit `c` in the label being featurized, zero between labels (each label resets
 * the entries it touched); `TOUCHED` = its distinct code units in order of first occurrence (one
 * spare entry: the branch-free scan writes one past the last distinct unit).
 */
const COUNTS = new Int32Array(65536);
const TOUCHED = new Uint16Array(65536 + 1);

/**
 * Writes some features of each label into `out`, row `index` starting at `offset + index × stride`,
 * and returns -1; stops at the first empty label and returns its index (rows before it are written).
 */
export type RowsFiller = (labels: readonly string[], out: Float32Array | Float64Array, offset: number, stride: number) => number;

/** Writes some features of one non-empty label into `out` from `start`. */
export type LabelFiller = (label: string, out: Float32Array | Float64Array, start: number) => void;

/** The feature kinds computed from the label's character counts alone. */
export function isCountFeature(spec: FeatureSpec): boolean {
  const type = spec.kind.type;
  return type === 'length' || type === 'entropy' || type === 'proportion';
}

/**
 * Compiles the count features of `specs` (length, entropy, proportions; see
 * {@link isCountFeature}) into one pass per label that writes their slots and leaves every other
 * slot alone: `fill` for one label, `fillRows` for a batch (which loads the tables once).
 *
 * A "character" is one UTF-16 code unit, as in JavaScript's `string.length` and Java's
 * `String.length()` / `charAt` (Devo runs on the JVM). Labels from `extractLabel` are ASCII (IDNs
 * become punycode), where code units, code points and bytes all coincide.
 *
 * One scan counts the label's code units into a reused table indexed by code unit and lists the
 * distinct ones. Each proportion then sums the counts of its characters (a fixed list per
 * proportion: no data-dependent branch) and stores count / length, computed in float64 (the
 * rounding of LINQ's float division). Last, one loop over the distinct units adds each entropy
 * term −p·log₂ p (in order of first occurrence, from a table for labels shorter than 64) and
 * resets its count, so nothing needs clearing before the next label. No allocation per call.
 */
export function compileCountFeatures(specs: readonly FeatureSpec[]): { fill: LabelFiller; fillRows: RowsFiller } {
  const lengthSlots: number[] = [];
  const entropySlots: number[] = [];
  const proportionSlots: number[] = [];
  // The characters of proportion p are proportionCharacters[proportionStart[p] … proportionStart[p + 1] - 1].
  const proportionStart: number[] = [0];
  const proportionCharacters: number[] = [];
  specs.forEach((spec, slot) => {
    const kind = spec.kind;
    // A set has at most one length and one entropy (two would be the same value twice).
    if ((kind.type === 'length' && lengthSlots.length > 0) || (kind.type === 'entropy' && entropySlots.length > 0)) {
      throw new Error(`internal: feature ${spec.name} repeats the set's ${kind.type}`);
    }
    if (kind.type === 'length') lengthSlots.push(slot);
    else if (kind.type === 'entropy') entropySlots.push(slot);
    else if (kind.type === 'proportion') {
      proportionSlots.push(slot);
      for (let index = 0; index < kind.characters.length; index++) proportionCharacters.push(kind.characters.charCodeAt(index));
      proportionStart.push(proportionCharacters.length);
    }
  });
  const plan: CountPlan = {
    lengthSlot: lengthSlots[0] ?? -1,
    entropySlot: entropySlots[0] ?? -1,
    proportions: Int32Array.from(proportionSlots),
    starts: Int32Array.from(proportionStart),
    characters: Int32Array.from(proportionCharacters),
    counts: COUNTS,
    touched: TOUCHED,
    entropyTerms: ENTROPY_TERMS,
    termLengths: TERM_LENGTHS,
  };
  return {
    fill: (label, out, start) => fillCounts(plan, label, out, start),
    fillRows: (labels, out, offset, stride) => {
      for (let row = 0, start = offset; row < labels.length; row++, start += stride) {
        const label = labels[row]!;
        if (label.length === 0) return row;
        fillCounts(plan, label, out, start);
      }
      return -1;
    },
  };
}

/** The tables of one compiled set, read by {@link fillCounts}. */
interface CountPlan {
  /** The length's slot, -1 if the set has none. */
  readonly lengthSlot: number;
  /** The entropy's slot, -1 if the set has none. */
  readonly entropySlot: number;
  readonly proportions: Int32Array;
  /** The characters of proportion p are characters[starts[p] … starts[p + 1] - 1]. */
  readonly starts: Int32Array;
  readonly characters: Int32Array;
  readonly counts: Int32Array;
  readonly touched: Uint16Array;
  readonly entropyTerms: Float64Array;
  readonly termLengths: number;
}

/**
 * The pass itself: one top-level function that reads its tables from `plan`, rather than a closure
 * per set over them. Closures made at one site share their optimized code, so with several sets
 * in use each call would reload every table; V8 inlines this function into the batch loop, where
 * the plan's tables are loaded once (measured: the same speed whichever sets ran before).
 */
function fillCounts(plan: CountPlan, label: string, out: Float32Array | Float64Array, start: number): void {
  const { lengthSlot, entropySlot, proportions, starts, characters, counts, touched, entropyTerms, termLengths } = plan;
  const length = label.length;
  let distinct = 0;
  for (let index = 0; index < length; index++) {
    const code = label.charCodeAt(index);
    const count = counts[code]!;
    counts[code] = count + 1;
    // Branch-free: whether a character is new is unpredictable, and a mispredicted branch per
    // character costs more than the store. `(count - 1) >>> 31` is 1 for count 0, else 0.
    touched[distinct] = code;
    distinct += (count - 1) >>> 31;
  }
  if (lengthSlot >= 0) out[start + lengthSlot] = length;
  for (let index = 0, entry = 0; index < proportions.length; index++) {
    let count = 0;
    for (const end = starts[index + 1]!; entry < end; entry++) count += counts[characters[entry]!]!;
    // count / length (not count * (1 / length)): the same rounding as LINQ's float division.
    out[start + proportions[index]!] = count / length;
  }
  const termBase = length < termLengths ? length * termLengths : -1;
  let entropy = 0;
  for (let index = 0; index < distinct; index++) {
    const code = touched[index]!;
    const count = counts[code]!;
    counts[code] = 0;
    if (termBase >= 0) entropy -= entropyTerms[termBase + count]!;
    else {
      const probability = count / length;
      entropy -= probability * Math.log2(probability);
    }
  }
  // −0 and tiny negative rounding cannot occur (each term is ≥ 0), but keep the result clean.
  if (!(entropy > 0)) entropy = 0;
  if (entropySlot >= 0) out[start + entropySlot] = entropy;
}
