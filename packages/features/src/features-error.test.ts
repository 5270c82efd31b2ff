import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import { FeaturesError, isFeaturesError } from './features-error';

describe('FeaturesError', () => {
  it('has a string code and an isInstance that works across package copies', async () => {
    const error = new FeaturesError('ERR_FEATURES_EMPTY_LABEL', 'the label is empty', { input: '' });
    vi.resetModules();
    expect(errorModelViolations([[FeaturesError, error]], await import('./features-error'))).toEqual([]);
    expect(isFeaturesError(error)).toBe(true);
  });
});
