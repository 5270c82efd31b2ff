import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import { readDataset, type DatasetRow, type DatasetSkip, type ReadDatasetOptions } from './read-dataset';

const fixture = (name: string): string => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

async function collect(source: string, options: ReadDatasetOptions = {}): Promise<{ rows: DatasetRow[]; skips: DatasetSkip[] }> {
  const skips: DatasetSkip[] = [];
  const rows: DatasetRow[] = [];
  for await (const row of readDataset(source, { ...options, onSkip: (skip) => skips.push(skip) })) rows.push(row);
  return { rows, skips };
}

async function failure(promise: Promise<unknown>): Promise<DatasetError> {
  try {
    await promise;
  } catch (error) {
    if (DatasetError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DatasetError');
}

describe('readDataset on files', () => {
  it('yields rows with line numbers and malicious = class !== legit, dropping rows without subclass', async () => {
    const { rows, skips } = await collect(fixture('valid.csv'));
    expect(rows).toEqual([
      { line: 2, host: 'www.bbc.co.uk', domain: 'bbc', malicious: false, subclass: 'legit' },
      { line: 3, host: 'kq3v9z1x.ru', domain: 'kq3v9z1x', malicious: true, subclass: 'cryptolocker' },
      { line: 5, host: 'fizrbzba.dyndns.org', domain: 'fizrbzba', malicious: true, subclass: 'kraken' },
    ]);
    expect(skips).toEqual([{ line: 4, code: 'empty-subclass', reason: 'empty subclass (dropped, as in the tutorial)' }]);
  });

  it('keeps the counts of the pass in stats, and can be iterated again', async () => {
    const stream = readDataset(fixture('valid.csv'));
    for await (const row of stream) expect(row.line).toBeGreaterThan(1);
    expect(stream.stats).toEqual({ rows: 3, skipped: 1, malicious: 2, skippedByCode: { 'empty-subclass': 1 } });
    let again = 0;
    for await (const row of stream) again += row.line > 0 ? 1 : 0;
    expect(again).toBe(3);
    expect(stream.stats.rows).toBe(3);
  });

  it('accepts a BOM, CRLF line ends, columns in any order and file: URLs', async () => {
    const { rows } = await collect(pathToFileURL(fixture('reordered-crlf-bom.csv')).href);
    expect(rows).toEqual([
      { line: 2, host: 'www.bbc.co.uk', domain: 'bbc', malicious: false, subclass: 'legit' },
      { line: 3, host: 'kq3v9z1x.ru', domain: 'kq3v9z1x', malicious: true, subclass: 'cryptolocker' },
    ]);
  });

  it('skips each malformed line with its 1-based line number and reason', async () => {
    const { rows, skips } = await collect(fixture('bad-rows.csv'));
    expect(rows.map((row) => [row.line, row.domain])).toEqual([
      [2, 'good'],
      [10, 'last'],
    ]);
    expect(skips.map((skip) => [skip.line, skip.code])).toEqual([
      [3, 'short-row'],
      [4, 'long-row'],
      [5, 'empty-domain'],
      [6, 'invalid-class'],
      [7, 'empty-line'],
      [8, 'invalid-utf8'],
      [9, 'invalid-domain'],
    ]);
    expect(skips[0]!.reason).toBe('short row: 3 fields, expected 4 (host;domain;class;subclass)');
    expect(skips[3]!.reason).toBe('class "malware" is neither "legit" nor "dga"');
  });

  it.each([
    [3, 'short row'],
  ])('in strict mode throws on the first bad line (line %i) naming file, line and fix', async (line, reason) => {
    const error = await failure(collect(fixture('bad-rows.csv'), { strict: true }));
    expect(error.code).toBe('ERR_DATASET_INVALID_ROW');
    expect(error.line).toBe(line);
    expect(error.message).toContain(`bad-rows.csv:${line}: ${reason}`);
    expect(error.message).toMatch(/Fix or remove line 3, or read without strict mode/);
  });

  it('in strict mode still drops rows without subclass', async () => {
    const { rows } = await collect(fixture('valid.csv'), { strict: true });
    expect(rows).toHaveLength(3);
  });

  it('always throws on a wrong header, naming line 1 and what it found', async () => {
    const error = await failure(collect(fixture('wrong-header.csv')));
    expect(error.code).toBe('ERR_DATASET_HEADER');
    expect(error.line).toBe(1);
    expect(error.message).toContain('wrong-header.csv:1: expected the header "host;domain;class;subclass"');
    expect(error.message).toContain('"host,domain,class,subclass"');
  });

  it('throws on an empty file', async () => {
    const error = await failure(collect(fixture('empty.csv')));
    expect(error.code).toBe('ERR_DATASET_HEADER');
    expect(error.message).toMatch(/empty\.csv is empty/);
  });

  it('throws ERR_DATASET_NOT_FOUND naming the path and both remedies for a missing file', async () => {
    const error = await failure(collect('/nonexistent/dir/data.csv'));
    expect(error.code).toBe('ERR_DATASET_NOT_FOUND');
    expect(error.source).toBe('/nonexistent/dir/data.csv');
    expect(error.message).toMatch(/\/nonexistent\/dir\/data\.csv does not exist.*--dataset <file>.*DGA_DATASET/);
    const directory = await failure(collect(fixture('')));
    expect(directory.message).toMatch(/is not a file/);
  });

  it('reports file progress in bytes', async () => {
    const events: Array<{ bytes: number; totalBytes?: number }> = [];
    await collect(fixture('valid.csv'), { onProgress: (event) => events.push(event) });
    expect(events.at(-1)).toEqual({ bytes: 158, totalBytes: 158 });
  });

  it('stops with ERR_DATASET_ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    const rows: DatasetRow[] = [];
    const error = await failure(
      (async () => {
        for await (const row of readDataset(fixture('valid.csv'), { signal: controller.signal })) {
          rows.push(row);
          controller.abort();
        }
      })(),
    );
    expect(error.code).toBe('ERR_DATASET_ABORTED');
    expect(rows).toHaveLength(1);
    const before = await failure(collect(fixture('valid.csv'), { signal: AbortSignal.abort() }));
    expect(before.code).toBe('ERR_DATASET_ABORTED');
  });

  it('stops reading when the consumer breaks early', async () => {
    const stream = readDataset(fixture('valid.csv'));
    for await (const row of stream) {
      expect(row.line).toBe(2);
      break;
    }
    expect(stream.stats.rows).toBe(1);
  });
});

describe.skipIf(requireSharedData('sample-small.csv'))('readDataset on the real sample', () => {
  it('reads 2,000 rows: 1,000 legit and 1,000 dga, with no skips', async () => {
    const stream = readDataset(sharedDataFile('sample-small.csv'), { strict: true });
    const families = new Set<string>();
    for await (const row of stream) if (row.malicious) families.add(row.subclass);
    expect(stream.stats).toEqual({ rows: 2000, skipped: 0, malicious: 1000, skippedByCode: {} });
    expect(families.size).toBe(37);
  });
});

describe.skipIf(requireSharedData('dga-training.csv'))('readDataset on the real training data', () => {
  it('reads 132,534 rows: 66,267 legit and 66,267 dga in 37 families, matching the data README', async () => {
    const stream = readDataset(sharedDataFile('dga-training.csv'), { strict: true });
    const families = new Map<string, number>();
    let lastLine = 0;
    for await (const row of stream) {
      families.set(row.subclass, (families.get(row.subclass) ?? 0) + 1);
      lastLine = row.line;
    }
    expect(stream.stats).toEqual({ rows: 132_534, skipped: 0, malicious: 66_267, skippedByCode: {} });
    expect(lastLine).toBe(132_535);
    expect(families.get('legit')).toBe(66_267);
    expect(families.size).toBe(38);
    expect(families.get('conficker')).toBe(5000);
    expect(families.get('kraken')).toBe(1241);
    expect(families.get('dnschanger')).toBe(5);
  });
});
