/**
 * Which of a fixed set of needles a text contains, for the `text -> "needle"` tests of a query
 * (the bigram flags: about 200 per row, all over the same label). The needles are added while
 * the query compiles; then each distinct text is read once, one pass over its substrings of
 * each needle length against a lookup of the needles, instead of one search per needle.
 */
export interface SubstringIndex {
  /** Adds a needle (at compile time, before any {@link SubstringIndex.contains}); returns its slot. */
  add(needle: string): number;
  /**
   * Whether `text` contains the needle of `slot`, exactly as `text.includes(needle)` (or both
   * lowercased, when case-insensitive).
   */
  contains(text: string, slot: number): boolean;
}

/** Texts whose flags are kept: a query may test every row of a batch (512) for one needle, then the next. */
const recentTexts = 2048;

/** Flags the two-character needles in `subject` from `offset`: ASCII pairs through the table, others by substring. */
function findPairs(subject: string, needles: ReadonlyMap<string, number>, asciiPairs: Int32Array, flags: Uint8Array, offset: number): void {
  for (let start = 0; start + 2 <= subject.length; start += 1) {
    const first = subject.charCodeAt(start);
    const second = subject.charCodeAt(start + 1);
    if (first < 128 && second < 128) {
      const slot = asciiPairs[first * 128 + second] as number;
      if (slot !== 0) flags[offset + slot - 1] = 1;
    } else {
      const slot = needles.get(subject.slice(start, start + 2));
      if (slot !== undefined) flags[offset + slot] = 1;
    }
  }
}

/**
 * A {@link SubstringIndex}; `'insensitive'` compares `text.toLowerCase()` with the lowercased
 * needles, as the `->` operator does under that reading.
 *
 * @example
 * const index = createSubstringIndex('sensitive');
 * const slot = index.add('in');
 * index.contains('coin', slot); // true
 */
export function createSubstringIndex(caseMode: 'sensitive' | 'insensitive'): SubstringIndex {
  const insensitive = caseMode === 'insensitive';
  const slots = new Map<string, number>();
  /** Needle length → needle → slot. */
  const byLength = new Map<number, Map<string, number>>();
  /** Slot + 1 of each two-character ASCII needle, at `first * 128 + second` (no substring built). */
  const asciiPairs = new Int32Array(128 * 128);
  // The flags of the recent texts, one row of `slots.size` bytes each in one pool.
  const recent = new Map<string, number>();
  let flags = new Uint8Array(0);
  let used = 0;
  let lastText: string | undefined;
  let lastOffset = 0;

  const compute = (text: string): number => {
    const width = slots.size;
    if (flags.length !== width * recentTexts) flags = new Uint8Array(width * recentTexts);
    if (used === recentTexts) {
      recent.clear();
      used = 0;
    }
    const offset = used * width;
    used += 1;
    flags.fill(0, offset, offset + width);
    const subject = insensitive ? text.toLowerCase() : text;
    for (const [length, needles] of byLength) {
      if (length === 0) {
        for (const slot of needles.values()) flags[offset + slot] = 1; // every text contains ""
      } else if (length === 2) {
        findPairs(subject, needles, asciiPairs, flags, offset);
      } else {
        for (let start = 0; start + length <= subject.length; start += 1) {
          const slot = needles.get(subject.slice(start, start + length));
          if (slot !== undefined) flags[offset + slot] = 1;
        }
      }
    }
    recent.set(text, offset);
    return offset;
  };

  return {
    add(needle) {
      const key = insensitive ? needle.toLowerCase() : needle;
      const existing = slots.get(key);
      if (existing !== undefined) return existing;
      const slot = slots.size;
      slots.set(key, slot);
      let needles = byLength.get(key.length);
      if (needles === undefined) byLength.set(key.length, (needles = new Map<string, number>()));
      needles.set(key, slot);
      if (key.length === 2 && key.charCodeAt(0) < 128 && key.charCodeAt(1) < 128) asciiPairs[key.charCodeAt(0) * 128 + key.charCodeAt(1)] = slot + 1;
      // Flags computed before this needle lack it: start afresh.
      recent.clear();
      used = 0;
      lastText = undefined;
      return slot;
    },
    contains(text, slot) {
      if (text !== lastText) {
        lastOffset = recent.get(text) ?? compute(text);
        lastText = text;
      }
      return flags[lastOffset + slot] === 1;
    },
  };
}
