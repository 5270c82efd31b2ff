/**
 * `String(value)` of numbers that take few distinct values, remembered: the `length`, `entropy`
 * and `vowel_proportion` of `dga classify`'s rows (a few thousand values over a million hosts),
 * whose conversion to text costs more than the rest of a row. The table is keyed by the number's
 * 64 bits (open addressing over typed arrays: no boxed number, no `Map`), and emptied when half
 * full, so memory stays bounded whatever the input.
 *
 * @example
 * const text = createNumberTexts();
 * text(0.3); // '0.3', converted once
 */
/** `slots`: a power of two. */
export function createNumberTexts(slots: number = 1 << 14): (value: number) => string {
  const mask = slots - 1;
  const shift = 32 - Math.log2(slots);
  const high = new Uint32Array(slots);
  const low = new Uint32Array(slots);
  const texts: (string | undefined)[] = new Array<string | undefined>(slots).fill(undefined);
  const smallIntegers = Array.from({ length: 256 }, (_, value) => String(value));
  const scratch = new Float64Array(1);
  const bits = new Uint32Array(scratch.buffer);
  let used = 0;
  return (value) => {
    const integer = value | 0;
    if (integer === value && integer >= 0 && integer < 256) return smallIntegers[integer]!;
    scratch[0] = value;
    const lowBits = bits[0]!;
    const highBits = bits[1]!;
    let slot = Math.imul(lowBits ^ highBits, 0x9e3779b1) >>> shift;
    for (;;) {
      const text = texts[slot];
      if (text === undefined) break;
      if (low[slot] === lowBits && high[slot] === highBits) return text;
      slot = (slot + 1) & mask;
    }
    const text = String(value);
    if (used >= slots >>> 1) {
      texts.fill(undefined);
      used = 0;
      slot = Math.imul(lowBits ^ highBits, 0x9e3779b1) >>> shift;
    }
    low[slot] = lowBits;
    high[slot] = highBits;
    texts[slot] = text;
    used += 1;
    return text;
  };
}
