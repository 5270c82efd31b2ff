import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitError } from '../exit-error';
import { detectDelimiter, readInputChunks, readInputs } from './inputs';

const dir = mkdtempSync(join(tmpdir(), 'dga-inputs-'));
const noStdin = Object.assign(Readable.from([]), { isTTY: true });

async function collect(iterable: AsyncIterable<{ value: string; line: number }>): Promise<{ value: string; line: number }[]> {
  const out = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('readInputs', () => {
  it('yields every argument trimmed, blank ones too (input the user typed, unlike a blank line)', async () => {
    expect(await collect(readInputs({ args: [' a.com ', '', '  ', 'b.net'], stdin: noStdin, cwd: dir }))).toEqual([
      { value: 'a.com', line: 1 },
      { value: '', line: 2 },
      { value: '', line: 3 },
      { value: 'b.net', line: 4 },
    ]);
  });

  it('reads lines of a file and of stdin', async () => {
    writeFileSync(join(dir, 'hosts.txt'), 'a.com\r\n\n  b.net\n');
    expect((await collect(readInputs({ args: [], file: 'hosts.txt', stdin: noStdin, cwd: dir }))).map((item) => item.value)).toEqual(['a.com', 'b.net']);
    const stdin = Readable.from(['x.org\ny.', 'org\n']);
    expect((await collect(readInputs({ args: [], stdin, cwd: dir }))).map((item) => item.value)).toEqual(['x.org', 'y.org']);
  });

  it('reads a CSV column, detecting ; or , from the header, with quoted fields', async () => {
    writeFileSync(join(dir, 'data.csv'), 'host;domain;class\ngoogle.com;google;legit\n"we;ird.com";x;dga\n');
    expect((await collect(readInputs({ args: [], file: 'data.csv', column: 'host', stdin: noStdin, cwd: dir }))).map((item) => item.value)).toEqual([
      'google.com',
      'we;ird.com',
    ]);
    writeFileSync(join(dir, 'comma.csv'), 'id,url\n1,http://a.com/x\n');
    expect((await collect(readInputs({ args: [], file: 'comma.csv', column: 'url', stdin: noStdin, cwd: dir })))[0]?.value).toBe('http://a.com/x');
  });

  it('numbers CSV rows and parse errors by their line in the file, past blank lines and quoted line breaks', async () => {
    writeFileSync(join(dir, 'lines.csv'), 'host,note\ngoogle.com,1\n\n\nbbc.com,"two\nlines"\n  \nwww.example.org\n');
    expect(await collect(readInputs({ args: [], file: 'lines.csv', column: 'host', stdin: noStdin, cwd: dir }))).toEqual([
      { value: 'google.com', line: 2 },
      { value: 'bbc.com', line: 5 },
      { value: 'www.example.org', line: 8 },
    ]);
    // A long file whose bad row is far past what the loop has consumed when the parser fails.
    const rows = Array.from({ length: 200 }, (_, index) => `host${index}.com,${index}`);
    writeFileSync(join(dir, 'ragged.csv'), ['host,note', ...rows.slice(0, 100), '', 'extra.com,1,2', ...rows.slice(100)].join('\n') + '\n');
    const error = await collect(readInputs({ args: [], file: 'ragged.csv', column: 'host', stdin: noStdin, cwd: dir })).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(ExitError.isInstance(error) && error.exitCode).toBe(2);
    expect(error?.message).toMatch(/^ragged\.csv:103: cannot parse CSV: .*column header mismatch/);
  });

  it('gives usage errors for a missing file, a wrong column, and arguments with --file', async () => {
    const failure = async (options: Parameters<typeof readInputs>[0]) => {
      try {
        await collect(readInputs(options));
      } catch (error) {
        expect(ExitError.isInstance(error) && error.exitCode).toBe(2);
        return (error as Error).message;
      }
      throw new Error('expected a usage error');
    };
    expect(await failure({ args: [], file: 'absent.txt', stdin: noStdin, cwd: dir })).toMatch(/^--file absent.txt: no such file/);
    expect(await failure({ args: [], file: 'data.csv', column: 'Host', stdin: noStdin, cwd: dir })).toBe(
      '--column Host: data.csv has no such column (columns: host, domain, class; delimiter ";")',
    );
    expect(await failure({ args: ['a.com'], file: 'data.csv', stdin: noStdin, cwd: dir })).toMatch(/not both/);
    expect(await failure({ args: [], stdin: noStdin, cwd: dir })).toMatch(/^no inputs/);
  });
});

describe('detectDelimiter', () => {
  it('picks the delimiter that splits the header most', () => {
    expect(detectDelimiter('host;domain;class;subclass')).toBe(';');
    expect(detectDelimiter('a,b')).toBe(',');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('host')).toBe(',');
  });
});

describe('readInputChunks', () => {
  it('yields plain lines as the bytes read, and arguments as readInputs does, each in an array', async () => {
    const reads: (Uint8Array | string[])[] = [];
    for await (const read of readInputChunks({ args: [], stdin: Readable.from([Buffer.from('a.com\nb.'), Buffer.from('net\n\nc.org')]), cwd: dir })) reads.push(read);
    expect(reads.map((read) => (Array.isArray(read) ? read : Buffer.from(read).toString()))).toEqual(['a.com\nb.', 'net\n\nc.org']);
    const inputs: (Uint8Array | string[])[] = [];
    for await (const read of readInputChunks({ args: [' a.com ', '', 'b.net'], stdin: noStdin, cwd: dir })) inputs.push(read);
    expect(inputs).toEqual([['a.com'], [''], ['b.net']]);
  });
});
