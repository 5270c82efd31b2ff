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
 * The {@link ByteWriter}: a class, so the row renderers' calls reach one shape of object and V8
 * inlines them (the rows of `dga classify` are about 90 bytes written in 15 calls).
 */
class GrowingByteWriter implements ByteWriter {
  private buffer: Uint8Array;
  private size = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  byte(code: number): void {
    if (this.size === this.buffer.length) this.reserve(1);
    this.buffer[this.size++] = code;
  }

  text(text: string): void {
    // At most 3 bytes per UTF-16 code unit.
    this.reserve(text.length * 3);
    const buffer = this.buffer;
    let size = this.size;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code >= 0x80) {
        this.size = size + encoder.encodeInto(text.slice(index), buffer.subarray(size)).written;
        return;
      }
      buffer[size++] = code;
    }
    this.size = size;
  }

  plainAscii(text: string, special: number, other: number): boolean {
    this.reserve(text.length);
    const buffer = this.buffer;
    let size = this.size;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code < 0x20 || code >= 0x7f || code === special || code === other) return false;
      buffer[size++] = code;
    }
    this.size = size;
    return true;
  }

  take(): Uint8Array {
    const bytes = this.buffer.slice(0, this.size);
    this.size = 0;
    return bytes;
  }

  private reserve(bytes: number): void {
    if (this.size + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.size + bytes));
    grown.set(this.buffer.subarray(0, this.size));
    this.buffer = grown;
  }
}

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
  return new GrowingByteWriter(capacity);
}
