import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import { ModelAbortError, ModelError, isModelError } from './errors';

describe('ModelError', () => {
  it('gives every error class a string code and an isInstance that works across package copies', async () => {
    const cases = [
      [ModelError, new ModelError('ERR_MODEL_INVALID_OPTION', 'epochs must be a positive integer')],
      [ModelAbortError, new ModelAbortError('trainModel', { cause: 'stop' })],
    ] as const;
    vi.resetModules();
    expect(errorModelViolations(cases, await import('./errors'))).toEqual([]);
    expect([isModelError(cases[1][1]), cases[1][1].code, cases[1][1].cause]).toEqual([true, 'ERR_MODEL_ABORTED', 'stop']);
  });
});
