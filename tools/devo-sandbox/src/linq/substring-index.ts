/**
 * Which of a fixed set of needles a text contains, for the `text -> "needle"` tests of a query
 * (the bigram flags: about 200 per row, all over the same label). The needles are added while
 * the query compiles; then each distinct text is read once, one pass over its substrings of
 * each needle length against a lookup of the needles, instead of one search per needle.
 */
export interface SubstringIndex {
  /** Adds a needle (at compile time, before any {@link SubstringIndex.matches}); returns its slot. */
  add(needle: string): number;
  /**
   * One flag per slot, 1 when `text` contains that slot's needle, exactly as
   * `text.includes(needle)` (or both lowercased, when case-insensitive). Do not modify it.
   */
  matches(text: string): Uint8Array;
}

/** Texts whose flags are kept (a batch of rows is 512). */
const recentTexts = 4096;

/**
 * A {@link SubstringIndex}; `'insensitive'` compares `text.toLowerCase()` with the lowercased
 * needles, as the `->` operator does under that reading.
 *
 * @example
 * const index = createSubstringIndex('sensitive');
 * const slot = index.add('in');
 * index.matches('coin')[slot]; // 1
 */
export function createSubstringIndex(caseMode: 'sensitive' | 'insensitive'): SubstringIndex {
  const insensitive = caseMode === 'insensitive';
  const slots = new Map<string, number>();
  /** Needle length → needle → slot. */
  const byLength = new Map<number, Map<string, number>>();
  // The flags of recent texts: a query may test every row for one needle, then for the next
  // (one select column per flag), or one row for every needle (the flags in one array).
  const recent = new Map<string, Uint8Array>();
  let lastText: string | undefined;
  let lastFlags: Uint8Array = new Uint8Array(0);
  const compute = (text: string): Uint8Array => {
    const flags = new Uint8Array(slots.size);
    const subject = insensitive ? text.toLowerCase() : text;
    for (const [length, needles] of byLength) {
      if (length === 0) {
        for (const slot of needles.values()) flags[slot] = 1; // every text contains ""
        continue;
      }
      for (let start = 0; start + length <= subject.length; start += 1) {
        const slot = needles.get(subject.slice(start, start + length));
        if (slot !== undefined) flags[slot] = 1;
      }
    }
    return flags;
  };
  return {
    add(needle) {
      const key = insensitive ? needle.toLowerCase() : needle;
      const existing = slots.get(key);
      if (existing !== undefined) return existing;
      const slot = slots.size;
      slots.set(key, slot);
      let needles = byLength.get(key.length);
      if (needles === undefined) byLength.set(key.length, (needles = new Map()));
      needles.set(key, slot);
      lastText = undefined;
      recent.clear();
      return slot;
    },
    matches(text) {
      if (text === lastText) return lastFlags;
      let flags = recent.get(text);
      if (flags === undefined) {
        flags = compute(text);
        if (recent.size >= recentTexts) recent.clear();
        recent.set(text, flags);
      }
      lastText = text;
      lastFlags = flags;
      return flags;
    },
  };
}
