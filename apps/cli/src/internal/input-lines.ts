/**
 * The line rules of `dga classify`'s plain input (`--file` without `--column`, stdin), in one
 * place for the main thread and the worker threads: lines end at `\n`, `\r\n` or `\r` (as
 * `readline` splits them with `crlfDelay: Infinity`), surrounding white space (and a byte order
 * mark) is trimmed, and blank lines are skipped. The input is read as bytes and cut into chunks
 * of whole lines ({@link wholeLinesEnd}), so a chunk never ends inside a line or a UTF-8 character,
 * and each chunk is decoded and split where it is scored ({@link inputLinesOf}).
 */

const LF = 0x0a;
const CR = 0x0d;

/**
 * Where the whole lines of `bytes` end: just after the last line break, or 0 when there is none.
 * A `\r` that is the last byte is not taken as a line break yet (a `\n` may follow in the next
 * read, and `\r\n` is one break), unless `final` says no more bytes follow: then every byte is
 * taken, the last line being whole even without a break.
 *
 * @example
 * wholeLinesEnd(Buffer.from('a.com\nb.n'), false); // 6: 'b.n' waits for the rest of its line
 */
export function wholeLinesEnd(bytes: Uint8Array, final: boolean): number {
  if (final) return bytes.length;
  for (let index = bytes.length - 1; index >= 0; index--) {
    const code = bytes[index];
    if (code === LF || (code === CR && index < bytes.length - 1)) return index + 1;
  }
  return 0;
}

/** True for a char code that `String.prototype.trim` may remove (ASCII white space, or beyond ASCII). */
function maybeTrimmed(code: number): boolean {
  return code <= 0x20 || code >= 0x7f;
}

/**
 * The inputs of `text` (whole lines, as {@link wholeLinesEnd} cuts them), by the line rules above.
 *
 * @example
 * inputLinesOf(' a.com\r\n\r\nb.net\n'); // ['a.com', 'b.net']
 */
export function inputLinesOf(text: string): string[] {
  const inputs: string[] = [];
  const add = (line: string) => {
    if (line === '') return;
    // `trim` only where an end may need it: most lines have none to remove.
    if (maybeTrimmed(line.charCodeAt(0)) || maybeTrimmed(line.charCodeAt(line.length - 1))) {
      const trimmed = line.trim();
      if (trimmed !== '') inputs.push(trimmed);
    } else {
      inputs.push(line);
    }
  };
  if (text.indexOf('\r') !== -1) {
    for (const line of text.split(/\r\n|\n|\r/)) add(line);
    return inputs;
  }
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    add(text.slice(start, end));
    start = end + 1;
  }
  add(text.slice(start));
  return inputs;
}

/**
 * Bytes decoded into one string at a time by {@link inputLinesOfBytes}: V8 puts a string over
 * 128 KiB in its large-object space, whose allocation made decoding a 256 KiB chunk at once about
 * 30 times slower than in pieces of 64 KiB (measured on 1M hosts: 90 ms against 3 ms).
 */
export const DECODE_PIECE_BYTES: number = 64 * 1024;

/**
 * The inputs of `bytes` (whole lines, as {@link wholeLinesEnd} cuts them, in UTF-8), by the line
 * rules above: what {@link inputLinesOf} gives for their text, decoded in pieces of about
 * `pieceBytes` cut after a line break (a line longer than that is one piece of its own).
 *
 * @example
 * inputLinesOfBytes(Buffer.from('a.com\r\nb.net\n')); // ['a.com', 'b.net']
 */
export function inputLinesOfBytes(bytes: Uint8Array, pieceBytes: number = DECODE_PIECE_BYTES): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length <= pieceBytes) return inputLinesOf(buffer.toString('utf8'));
  const inputs: string[] = [];
  for (let start = 0; start < buffer.length; ) {
    let end = start + pieceBytes >= buffer.length ? buffer.length : start + wholeLinesEnd(buffer.subarray(start, start + pieceBytes), false);
    if (end === start) {
      // No line break within a piece: the piece runs to the end of its line.
      end = start + pieceBytes;
      while (end < buffer.length && buffer[end] !== LF && buffer[end] !== CR) end++;
    }
    for (const input of inputLinesOf(buffer.toString('utf8', start, end))) inputs.push(input);
    start = end;
  }
  return inputs;
}

/** What {@link createInputChunker} hands out: whole plain lines as bytes, or inputs already read. */
export type InputChunk = Uint8Array | readonly string[];

/** Gathers reads into chunks: the collector of `inputBatches` for `dga classify`. */
export interface InputChunker {
  /** Takes a read: bytes of plain lines, or one input already read; true when a chunk is full. */
  add(read: Uint8Array | string): boolean;
  /** Bytes or inputs taken and not handed out yet (0: none). */
  readonly size: number;
  /**
   * The chunk taken so far, or undefined when it is empty: the inputs, or the bytes up to the end
   * of the last whole line (every byte when `final`: no more input follows); the bytes of a line
   * still incomplete stay for the next chunk. The bytes are a buffer of their own (safe to
   * transfer to another thread).
   */
  take(final: boolean): { chunk: InputChunk; full: boolean } | undefined;
}

/** Options of {@link createInputChunker}. */
export interface InputChunkerOptions {
  /** Bytes of plain input that make a full chunk. */
  chunkBytes: number;
  /** Inputs already read (arguments, a CSV column) that make a full chunk. */
  chunkInputs: number;
}

/**
 * Cuts the input of `dga classify` into chunks of whole lines (or of inputs already read), so
 * each chunk can be decoded, split by {@link inputLinesOf} and scored on any thread.
 *
 * @example
 * const chunker = createInputChunker({ chunkBytes: 65_536, chunkInputs: 4096 });
 * chunker.add(Buffer.from('a.com\nb.n'));
 * chunker.take(false); // { chunk: <bytes of 'a.com\n'>, full: false }; 'b.n' waits
 */
export function createInputChunker(options: InputChunkerOptions): InputChunker {
  let pieces: Uint8Array[] = [];
  let bytes = 0;
  let inputs: string[] = [];
  let full = false;
  return {
    add(read) {
      if (typeof read === 'string') {
        inputs.push(read);
        full ||= inputs.length >= options.chunkInputs;
      } else {
        pieces.push(read);
        bytes += read.length;
        full ||= bytes >= options.chunkBytes;
      }
      return full;
    },
    get size() {
      return bytes + inputs.length;
    },
    take(final) {
      const wasFull = full;
      full = false;
      if (inputs.length > 0) {
        const chunk = inputs;
        inputs = [];
        return { chunk, full: wasFull };
      }
      if (bytes === 0) return undefined;
      const all = new Uint8Array(bytes);
      let offset = 0;
      for (const piece of pieces) {
        all.set(piece, offset);
        offset += piece.length;
      }
      const end = wholeLinesEnd(all, final);
      const rest = all.slice(end);
      pieces = rest.length === 0 ? [] : [rest];
      bytes = rest.length;
      return end === 0 ? undefined : { chunk: all.subarray(0, end), full: wasFull };
    },
  };
}
