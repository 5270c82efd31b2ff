import { describe, expect, it } from 'vitest';
import { tryDecodePunycode } from './decode-punycode';

describe('tryDecodePunycode', () => {
  it.each([
    ['bcher-kva', 'bücher'],
    ['p1ai', 'рф'],
    ['--itbhewsne2a', 'центр-зит'],
    ['ls8h', '💩'],
    // RFC 3492 section 7.1 (A) Arabic (Egyptian).
    ['egbpdaj6bu4bxfgehfvwxn', 'ليهمابتكلموشعربي؟'],
  ])('decodes %s to %s', (encoded, decoded) => {
    expect(String.fromCodePoint(...tryDecodePunycode(encoded)!)).toBe(decoded);
  });

  it.each(['zz', '1234', '99999999999', 'ab-ü'])('refuses %j (unfinished number, overflow or a non-ASCII basic part)', (encoded) => {
    expect(tryDecodePunycode(encoded)).toBeUndefined();
  });
});
