import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInputChunker, inputLinesOf, inputLinesOfBytes, wholeLinesEnd } from './input-lines';
import { readInputs } from './inputs';

const dir = mkdtempSync(join(tmpdir(), 'dga-input-lines-'));

/**
 * The inputs of `reads`, chunked by the chunker (every `chunkBytes`, and at the end) and split as
 * the scorers split them (decoded in pieces of `pieceBytes`).
 */
function chunkedInputs(reads: readonly Uint8Array[], chunkBytes: number, pieceBytes = 5): { inputs: string[]; chunks: Uint8Array[] } {
  const chunker = createInputChunker({ chunkBytes, chunkInputs: 10 });
  const chunks: Uint8Array[] = [];
  const take = (final: boolean) => {
    const taken = chunker.take(final);
    if (taken !== undefined) chunks.push(taken.chunk as Uint8Array);
  };
  for (const read of reads) if (chunker.add(read)) take(false);
  take(false);
  take(true);
  return { inputs: chunks.flatMap((chunk) => inputLinesOfBytes(chunk, pieceBytes)), chunks };
}

describe('input lines', () => {
  it('gives the inputs readline gives, whatever the line breaks and where the reads and chunks are cut', async () => {
    // Cuts fall inside lines, between \r and \n, and inside multi-byte UTF-8 characters.
    const text = fc.array(fc.oneof(fc.constantFrom('\n', '\r\n', '\r', ' ', '\t', 'a', 'b.com', 'é', '😀', '\uFEFF', '\u2028'), fc.string()), { maxLength: 30 }).map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 1, max: 16 }), async (content, cuts, chunkBytes) => {
        const bytes = Buffer.from(content);
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const reads = [0, ...points].map((start, index, all) => Buffer.from(bytes.subarray(start, all[index + 1] ?? bytes.length)));
        const expected = [];
        for await (const item of readInputs({ args: [], stdin: Readable.from(reads.map((read) => Buffer.from(read))), cwd: dir })) expected.push(item.value);
        const { inputs, chunks } = chunkedInputs(reads, chunkBytes);
        expect(inputs).toEqual(expected);
        expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
      }),
      { seed: 42, numRuns: 400 },
    );
  }, 60_000);

  it('cuts after the last line break, holding a last \\r (a \\n may follow) unless the input ends', () => {
    expect(wholeLinesEnd(Buffer.from('a.com\nb.n'), false)).toBe(6);
    expect(wholeLinesEnd(Buffer.from('a.com\rb.n'), false)).toBe(6);
    expect(wholeLinesEnd(Buffer.from('a.com\r'), false)).toBe(0);
    expect(wholeLinesEnd(Buffer.from('a.com\n\r'), false)).toBe(6);
    expect(wholeLinesEnd(Buffer.from('a.com'), false)).toBe(0);
    expect(wholeLinesEnd(Buffer.from('a.com'), true)).toBe(5);
  });

  it('trims, skips blank lines and splits \\r\\n, \\n and \\r alike', () => {
    expect(inputLinesOf('\uFEFFa.com\r\n  \r\n\tb.net \rc.org\n\n')).toEqual(['a.com', 'b.net', 'c.org']);
    expect(inputLinesOf('a.com\n b.net\u00a0\n')).toEqual(['a.com', 'b.net']);
  });

  it('decodes bytes in pieces cut after line breaks, a line longer than a piece whole', () => {
    const bytes = Buffer.from('a.com\r\nlonger-than-a-piece.example\r\r\nmünchen.de\nb.net');
    const expected = ['a.com', 'longer-than-a-piece.example', 'münchen.de', 'b.net'];
    for (const pieceBytes of [1, 2, 6, 7, 8, 30, 1024]) expect(inputLinesOfBytes(bytes, pieceBytes)).toEqual(expected);
  });

  it('hands out bytes of their own, whole lines only, and inputs already read as they came', () => {
    const chunker = createInputChunker({ chunkBytes: 8, chunkInputs: 2 });
    const read = Buffer.from('a.com\nb.n');
    expect(chunker.add(read)).toBe(true);
    const first = chunker.take(false);
    expect(first?.full).toBe(true);
    expect(Buffer.from(first!.chunk as Uint8Array).toString()).toBe('a.com\n');
    expect((first!.chunk as Uint8Array).buffer).not.toBe(read.buffer);
    expect(chunker.size).toBe(3);
    expect(chunker.take(false)).toBeUndefined();
    expect(Buffer.from(chunker.take(true)!.chunk as Uint8Array).toString()).toBe('b.n');
    expect(chunker.size).toBe(0);
    expect(chunker.add('x.com')).toBe(false);
    expect(chunker.add('y.com')).toBe(true);
    expect(chunker.take(false)).toEqual({ chunk: ['x.com', 'y.com'], full: true });
  });
});
