/**
 * Text built straight into UTF-8 bytes: what `dga classify` renders its rows into, so the rows
 * are never a string to encode afterwards. ASCII goes in with a loop over char codes (cheaper than
 * an encoder call for the short fields of a row); other text through `TextEncoder.encodeInto`.
 */
export interface ByteWriter {
  /** Appends one byte (an ASCII character's code). */
  byte(code: number): void;
  /** Appends `text` as UTF-8. */
  text(text: string): void;
  /**
   * Appends `text` when it is printable ASCII without the characters `special` and `other` (char
   * codes) and returns true; otherwise appends nothing and returns false (the caller escapes
   * `text` itself).
   */
  plainAscii(text: string, special: number, other: number): boolean;
  /** Bytes appended so far. */
  readonly length: number;
  /** The bytes appended, in a buffer of their own, and starts afresh. */
  take(): Uint8Array;
}

const encoder = new TextEncoder();

/**
 * A {@link ByteWriter} whose buffer starts at `capacity` bytes and doubles when full.
 *
 * @example
 * const writer = createByteWriter(1024);
 * writer.text('héllo');
 * writer.byte(0x0a);
 * process.stdout.write(writer.take());
 */
export function createByteWriter(capacity = 65_536): ByteWriter {
  let buffer = new Uint8Array(capacity);
  let length = 0;
  const reserve = (bytes: number) => {
    if (length + bytes <= buffer.length) return;
    const grown = new Uint8Array(Math.max(buffer.length * 2, length + bytes));
    grown.set(buffer.subarray(0, length));
    buffer = grown;
  };
  return {
    byte(code) {
      if (length === buffer.length) reserve(1);
      buffer[length++] = code;
    },
    text(text) {
      // At most 3 bytes per UTF-16 code unit.
      reserve(text.length * 3);
      for (let index = 0; index < text.length; index++) {
        const code = text.charCodeAt(index);
        if (code >= 0x80) {
          length += encoder.encodeInto(text.slice(index), buffer.subarray(length)).written;
          return;
        }
        buffer[length++] = code;
      }
    },
    plainAscii(text, special, other) {
      reserve(text.length);
      const start = length;
      for (let index = 0; index < text.length; index++) {
        const code = text.charCodeAt(index);
        if (code < 0x20 || code >= 0x7f || code === special || code === other) {
          length = start;
          return false;
        }
        buffer[length++] = code;
      }
      return true;
    },
    get length() {
      return length;
    },
    take() {
      const bytes = buffer.slice(0, length);
      length = 0;
      return bytes;
    },
  };
}
