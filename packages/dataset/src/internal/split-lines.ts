/** One line of the input: its text, or (when it is longer than the cap) only its length. */
export type SplitLine =
  | { number: number; text: string }
  | { number: number; text: undefined; bytes: number };

const newline = 0x0a;
const carriageReturn = 0x0d;

/**
 * Splits a byte stream into lines (`\n` or `\r\n`), decoding each line as UTF-8 (invalid bytes
 * become U+FFFD). A line longer than `maxLineBytes` is not kept: its bytes are counted and
 * dropped as they arrive, and it comes out as `{ text: undefined, bytes }`. So the splitter
 * never holds more than `maxLineBytes` plus one chunk, and its time is linear in the input,
 * whatever the line lengths (fast-csv re-scans its whole pending line on every chunk: quadratic).
 * A last line without a line end is still a line; an empty input has no lines.
 */
export async function* splitLines(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, maxLineBytes: number): AsyncGenerator<SplitLine> {
  let parts: Buffer[] = [];
  let pending = 0;
  let tooLong = false;
  let number = 0;
  const finish = (last: Buffer): SplitLine => {
    number += 1;
    const bytes = pending + last.length;
    const line: SplitLine = tooLong || bytes > maxLineBytes ? { number, text: undefined, bytes } : { number, text: decode(parts, last) };
    parts = [];
    pending = 0;
    tooLong = false;
    return line;
  };
  const keep = (part: Buffer): void => {
    pending += part.length;
    if (tooLong) return;
    if (pending > maxLineBytes) {
      tooLong = true;
      parts = [];
      return;
    }
    // A copy: the source may reuse its chunk buffers, and a slice would pin the whole chunk.
    parts.push(Buffer.from(part));
  };
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let end = buffer.indexOf(newline, start); end !== -1; end = buffer.indexOf(newline, start)) {
      yield finish(buffer.subarray(start, end));
      start = end + 1;
    }
    if (start < buffer.length) keep(buffer.subarray(start));
  }
  if (pending > 0 || tooLong) yield finish(Buffer.alloc(0));
}

function decode(parts: Buffer[], last: Buffer): string {
  let line = parts.length === 0 ? last : Buffer.concat([...parts, last]);
  if (line.length > 0 && line[line.length - 1] === carriageReturn) line = line.subarray(0, -1);
  return line.toString('utf8');
}
