import { describe, expect, it } from 'vitest';
import { splitLines, type SplitLine } from './split-lines';

async function lines(chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>, max = 16): Promise<SplitLine[]> {
  const result: SplitLine[] = [];
  for await (const line of splitLines(chunks, max)) result.push(line);
  return result;
}

describe('splitLines', () => {
  it('splits on \\n and \\r\\n across chunk borders, keeping empty lines and a last line without end', async () => {
    expect(await lines(['ab', 'c\r', '\n\nd', 'e\nf'])).toEqual([
      { number: 1, text: 'abc' },
      { number: 2, text: '' },
      { number: 3, text: 'de' },
      { number: 4, text: 'f' },
    ]);
    expect(await lines([])).toEqual([]);
    expect(await lines(['a\n'])).toEqual([{ number: 1, text: 'a' }]);
  });

  it('decodes UTF-8 split between chunks, and invalid bytes as U+FFFD', async () => {
    const bytes = Buffer.from('bücher\n');
    expect(await lines([bytes.subarray(0, 2), bytes.subarray(2)])).toEqual([{ number: 1, text: 'bücher' }]);
    expect(await lines([Buffer.from([0x61, 0xe9, 0x0a])])).toEqual([{ number: 1, text: 'a\uFFFD' }]);
  });

  it('reports a line over the cap by its number and length only', async () => {
    expect(await lines(['0123456789', '0123456789\nok\n', 'x'.repeat(17)])).toEqual([
      { number: 1, text: undefined, bytes: 20 },
      { number: 2, text: 'ok' },
      { number: 3, text: undefined, bytes: 17 },
    ]);
    expect(await lines(['x'.repeat(16) + '\n'])).toEqual([{ number: 1, text: 'x'.repeat(16) }]);
  });

  it('streams past a 600 MiB line without keeping it (longer than any string V8 can hold)', async () => {
    // One reused 1 MiB chunk, so the test itself holds 1 MiB; a splitter that buffered the line
    // would need 600 MiB and could not decode it (V8 strings stop at 512 MiB).
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let pulled = 0;
    function* source(): Generator<Uint8Array> {
      yield Buffer.from('head\n');
      for (let index = 0; index < 600; index += 1) {
        pulled += chunk.length;
        yield chunk;
      }
      yield Buffer.from('\ntail\n');
    }
    expect(await lines(source(), 4096)).toEqual([
      { number: 1, text: 'head' },
      { number: 2, text: undefined, bytes: 600 * 1024 * 1024 },
      { number: 3, text: 'tail' },
    ]);
    expect(pulled).toBe(600 * 1024 * 1024);
  }, 60_000);
});
