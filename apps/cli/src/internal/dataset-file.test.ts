import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../exit-error';
import { checkDatasetFile } from './dataset-file';

describe('checkDatasetFile', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dga-dataset-file-'));
  const hint = 'pass a labelled CSV with --dataset FILE';

  it('accepts a file and leaves URLs to the download', () => {
    writeFileSync(join(folder, 'data.csv'), 'host;domain;class;subclass\n');
    expect(() => checkDatasetFile(join(folder, 'data.csv'), '--dataset data.csv', hint)).not.toThrow();
    expect(() => checkDatasetFile('https://example.com/data.csv', '--dataset https://example.com/data.csv', hint)).not.toThrow();
  });

  it('refuses a missing path and a folder as usage errors naming the flag, the path and the fix', () => {
    const missing = join(folder, 'absent.csv');
    expect(() => checkDatasetFile(missing, '--dataset absent.csv', hint)).toThrow(new UsageError(`--dataset absent.csv: no such file (looked at ${missing})`, { hint }));
    let error: unknown;
    try {
      checkDatasetFile(folder, '--dataset .', hint);
    } catch (thrown) {
      error = thrown;
    }
    expect(UsageError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ exitCode: 2, message: `--dataset .: is a folder, not a dataset file (looked at ${folder})`, hint });
  });
});
