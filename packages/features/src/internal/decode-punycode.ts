// RFC 3492 (Punycode) parameters.
const base = 36;
const tMin = 1;
const tMax = 26;
const skew = 38;
const damp = 700;
const maxInt = 0x7fffffff;

function digitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 22; // '0'..'9' → 26..35
  if (code >= 0x61 && code <= 0x7a) return code - 0x61; // 'a'..'z' → 0..25
  if (code >= 0x41 && code <= 0x5a) return code - 0x41; // 'A'..'Z' → 0..25
  return base;
}

function adapt(delta: number, points: number, first: boolean): number {
  let value = first ? Math.floor(delta / damp) : delta >> 1;
  value += Math.floor(value / points);
  let k = 0;
  while (value > ((base - tMin) * tMax) >> 1) {
    value = Math.floor(value / (base - tMin));
    k += base;
  }
  return k + Math.floor(((base - tMin + 1) * value) / (value + skew));
}

/**
 * Decodes the Punycode part of an A-label (what follows `xn--`) into code points, as RFC 3492
 * section 6.2 does; `undefined` when it is not valid Punycode (a bad digit, an unfinished
 * number, an overflow, a code point beyond Unicode or a surrogate).
 */
export function tryDecodePunycode(encoded: string): number[] | undefined {
  const delimiter = encoded.lastIndexOf('-');
  const output: number[] = [];
  for (let index = 0; index < Math.max(delimiter, 0); index++) {
    const code = encoded.charCodeAt(index);
    if (code >= 0x80) return undefined;
    output.push(code);
  }
  let n = 0x80;
  let i = 0;
  let bias = 72;
  for (let index = delimiter < 0 ? 0 : delimiter + 1; index < encoded.length; ) {
    const previous = i;
    for (let weight = 1, k = base; ; k += base) {
      if (index >= encoded.length) return undefined;
      const digit = digitValue(encoded.charCodeAt(index++));
      if (digit >= base || digit > Math.floor((maxInt - i) / weight)) return undefined;
      i += digit * weight;
      const threshold = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
      if (digit < threshold) break;
      if (weight > Math.floor(maxInt / (base - threshold))) return undefined;
      weight *= base - threshold;
    }
    const length = output.length + 1;
    bias = adapt(i - previous, length, previous === 0);
    if (Math.floor(i / length) > maxInt - n) return undefined;
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
    output.splice(i, 0, n);
    i++;
  }
  return output;
}
