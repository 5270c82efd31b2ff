import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import { DevoSandboxError, LinqQueryError } from './sandbox-error';

describe('DevoSandboxError', () => {
  it('gives every error class a string code and an isInstance that works across package copies', async () => {
    const cases = [
      [DevoSandboxError, new DevoSandboxError('ERR_SANDBOX_MODEL_RUN', 'model "m" failed')],
      [LinqQueryError, new LinqQueryError('ERR_SANDBOX_LINQ_UNKNOWN_FUNCTION', 'unknown function lenght', { line: 1, column: 20 })],
    ] as const;
    vi.resetModules();
    expect(errorModelViolations(cases, await import('./sandbox-error'))).toEqual([]);
  });
});
