/** Labels shorter than this (every hostname label: at most 63) take their entropy terms from a table. */
const termLengths = 64;
/**
 * `entropyTerms[length * termLengths + count]` = p·log₂ p for p = count / length, computed on first
 * use (NaN: not yet). Math.log2 is most of the cost of the entropy; each term is computed once.
 */
const entropyTerms = new Float64Array(termLengths * termLengths).fill(Number.NaN);

/**
 * Character statistics of one label, computed in a single pass into tables that are reused for
 * every label: a count per UTF-16 code unit (`Int32Array(65536)`) plus the list of code units
 * touched, so resetting costs O(distinct characters) and nothing is allocated per label.
 *
 * A "character" is one UTF-16 code unit, as in JavaScript's `string.length` and Java's
 * `String.length()` / `charAt` (Devo runs on the JVM). Labels from `extractLabel` are ASCII
 * (IDNs become punycode), where code units, code points and bytes all coincide.
 */
export class LabelStats {
  /** `counts[c]` = occurrences of code unit `c` in the current label. */
  readonly counts: Int32Array = new Int32Array(65536);
  /** The distinct code units of the current label, in order of first occurrence. */
  readonly touched: Uint16Array = new Uint16Array(65536);
  /** How many entries of `touched` are in use. */
  distinct = 0;
  /** Length of the current label in UTF-16 code units. */
  length = 0;

  /** Replaces the current label's statistics with those of `label`. */
  load(label: string): void {
    const counts = this.counts;
    const touched = this.touched;
    for (let index = 0; index < this.distinct; index++) counts[touched[index]!] = 0;
    let distinct = 0;
    const length = label.length;
    for (let index = 0; index < length; index++) {
      const code = label.charCodeAt(index);
      if (counts[code]!++ === 0) touched[distinct++] = code;
    }
    this.distinct = distinct;
    this.length = length;
  }

  /** Shannon entropy of the current label in bits per character: −Σ p·log₂ p. 0 for one distinct character. */
  entropy(): number {
    const counts = this.counts;
    const touched = this.touched;
    const length = this.length;
    let entropy = 0;
    if (length < termLengths) {
      // The same terms, in the same order, looked up instead of recomputed: bit for bit equal.
      const base = length * termLengths;
      for (let index = 0; index < this.distinct; index++) {
        const count = counts[touched[index]!]!;
        let term = entropyTerms[base + count]!;
        if (term !== term) {
          const probability = count / length;
          term = entropyTerms[base + count] = probability * Math.log2(probability);
        }
        entropy -= term;
      }
    } else {
      for (let index = 0; index < this.distinct; index++) {
        const probability = counts[touched[index]!]! / length;
        entropy -= probability * Math.log2(probability);
      }
    }
    // −0 and tiny negative rounding cannot occur (each term is ≥ 0), but keep the result clean.
    return entropy > 0 ? entropy : 0;
  }
}

/** The one scratch instance: featurization is synchronous, so sharing it is safe. */
export const sharedLabelStats: LabelStats = new LabelStats();
