import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import { DatasetError, isDatasetError } from './dataset-error';

describe('DatasetError', () => {
  it('has a string code, a cause and an isInstance that works across package copies', async () => {
    const cause = new Error('EACCES');
    const error = new DatasetError('ERR_DATASET_READ', 'cannot read data.csv', { source: 'data.csv', cause });
    vi.resetModules();
    expect(errorModelViolations([[DatasetError, error]], await import('./dataset-error'))).toEqual([]);
    expect([isDatasetError(error), error.cause]).toEqual([true, cause]);
  });
});
