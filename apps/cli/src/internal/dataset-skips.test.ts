import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATASET_SOURCE_REMEDY, readDataset } from '@dga/dataset';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../exit-error';
import { datasetSkipOptions, explainDatasetError, formatDatasetSkips } from './dataset-skips';

const folder = mkdtempSync(join(tmpdir(), 'dga-dataset-skips-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('dataset skip flags and report', () => {
  it('summarizes skipped lines by reason, most frequent first, and the label disagreements', () => {
    expect(formatDatasetSkips({ skipped: 5, skippedByReason: { 'line-too-long': 1, 'invalid-class': 4 }, labelDisagreements: 93, labelsFromDomain: 3 })).toBe(
      '5 lines skipped (invalid-class 4, line-too-long 1); 93 labels differ from the domain column (labels come from the host, as classify computes them; 3 from the domain column, the host having none)',
    );
    expect(formatDatasetSkips({ skipped: 0, skippedByReason: {}, labelDisagreements: 0, labelsFromDomain: 0 })).toBe('no lines skipped; every label as in the domain column');
  });

  it('maps --strict and --max-skipped-rows to reader options, rejecting a bad count', () => {
    expect(datasetSkipOptions({ strict: true, 'max-skipped-rows': '0' })).toEqual({ strict: true, maxSkippedRows: 0 });
    expect(datasetSkipOptions({})).toEqual({});
    expect(() => datasetSkipOptions({ 'max-skipped-rows': '-1' })).toThrow(UsageError);
  });

  it('names the flag in the hint of a too-many-skipped error and leaves other errors alone', () => {
    const error = Object.assign(new Error('data.csv: 3 of 8 data lines were skipped'), { code: 'ERR_DATASET_TOO_MANY_SKIPPED', skipped: 3 });
    expect(explainDatasetError(error, 'evaluate')).toMatchObject({ exitCode: 1, message: error.message, hint: 'to use the remaining rows anyway, pass --max-skipped-rows 3' });
    const other = new Error('other');
    expect(explainDatasetError(other, 'evaluate')).toBe(other);
  });

  it('does not advise --max-skipped-rows when no line of the dataset is usable, but another dataset', async () => {
    const unusable = join(folder, 'one-zero.csv');
    writeFileSync(unusable, 'host;domain;class;subclass\ngoogle.com;google;0;legit\nxjwqkdo7zlf3qpu.com;xjwqkdo7zlf3qpu;1;cryptolocker\n');
    const error = await readDataset(unusable)[Symbol.asyncIterator]().next().then(() => undefined, (caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_DATASET_TOO_MANY_SKIPPED', rows: 0 });
    const explained = explainDatasetError(error, 'evaluate') as { exitCode: number; hint: string };
    expect(explained).toMatchObject({ exitCode: 1, message: (error as Error).message, hint: 'pass another file or URL with --dataset' });
    expect(explained.hint).not.toContain('--max-skipped-rows');
  });

  it('adds the hint of the command that runs to a dataset source error: DGA_DATASET only for train', async () => {
    const empty = join(folder, 'empty.csv');
    writeFileSync(empty, '');
    const error = await readDataset(empty)[Symbol.asyncIterator]().next().then(() => undefined, (caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_DATASET_HEADER' });
    expect((error as Error).message).not.toMatch(/--dataset|DGA_DATASET/);
    // The library's general remedy gives way to the command's own hint: one fix, said once.
    expect((error as Error).message.endsWith(` ${DATASET_SOURCE_REMEDY}`)).toBe(true);
    const message = (error as Error).message.slice(0, -DATASET_SOURCE_REMEDY.length - 1);
    expect(explainDatasetError(error, 'evaluate')).toMatchObject({ exitCode: 1, message, cause: error, hint: 'pass another file or URL with --dataset' });
    expect(explainDatasetError(error, 'train')).toMatchObject({ hint: 'pass another file or URL with --dataset, or set DGA_DATASET to one' });
  });

  it('names the dataset and the fix when it lacks a class or has too few rows to train on', () => {
    const error = Object.assign(new Error('trainModel: the training split has 693 legit and 0 DGA rows; both classes are needed.'), { code: 'ERR_MODEL_EMPTY_SPLIT' });
    const explained = explainDatasetError(error, 'train', '/data/legit-only.csv') as { exitCode: number; message: string; hint: string; cause: unknown };
    expect(explained).toMatchObject({ exitCode: 1, cause: error, message: '/data/legit-only.csv cannot train a classifier: the training split has 693 legit and 0 DGA rows; both classes are needed.' });
    expect(explained.hint).toContain('"legit" and "dga" in the class column');
    expect(explained.hint).toContain('--dataset');
  });
});
