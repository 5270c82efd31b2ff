import { describe, expect, it } from 'vitest';
import { DatasetError, isDatasetError } from './dataset-error';
import { DEFAULT_DATASET_URL, isUrlSource, redactUrl, resolveDatasetSource } from './resolve-dataset-source';

describe('resolveDatasetSource', () => {
  it('prefers the flag, then the DGA_DATASET value, then the tutorial URL', () => {
    expect(resolveDatasetSource('a.csv', 'b.csv')).toBe('a.csv');
    expect(resolveDatasetSource(undefined, 'b.csv')).toBe('b.csv');
    expect(resolveDatasetSource('', ' ')).toBe(DEFAULT_DATASET_URL);
    expect(resolveDatasetSource()).toBe(
      'https://devo-ml-models-public-demos.s3.eu-west-3.amazonaws.com/legit_dga/dataset.csv',
    );
  });
});

describe('isUrlSource and redactUrl', () => {
  it('tells URLs from paths and strips credentials and queries', () => {
    expect(isUrlSource('HTTPS://x/y.csv')).toBe(true);
    expect(isUrlSource('./http/data.csv')).toBe(false);
    expect(redactUrl('https://u:p@host.example/a.csv?sig=1#f')).toBe('https://host.example/a.csv?…');
    expect(redactUrl('https://host.example/a.csv')).toBe('https://host.example/a.csv');
  });
});

describe('DatasetError', () => {
  it('is recognised across copies through its Symbol.for marker', () => {
    const error = new DatasetError('ERR_DATASET_HEADER', 'x', { source: 'f.csv', line: 1 });
    expect(DatasetError.isInstance(error)).toBe(true);
    expect(isDatasetError({ [Symbol.for('dga.dataset.error')]: true })).toBe(true);
    expect(isDatasetError(new Error('x'))).toBe(false);
    expect(error.name).toBe('DatasetError');
    expect(error.line).toBe(1);
  });
});
