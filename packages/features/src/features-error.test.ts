import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import { FeaturesError, isFeaturesError, quoteInput } from './features-error';

describe('FeaturesError', () => {
  it('has a string code and an isInstance that works across package copies', async () => {
    const error = new FeaturesError('ERR_FEATURES_EMPTY_LABEL', 'the label is empty', { input: '' });
    vi.resetModules();
    expect(errorModelViolations([[FeaturesError, error]], await import('./features-error'))).toEqual([]);
    expect(isFeaturesError(error)).toBe(true);
  });
});

describe('quoteInput', () => {
  it('quotes a short input whole', () => {
    expect(quoteInput('co.uk')).toBe('"co.uk"');
    expect(quoteInput('a'.repeat(120))).toBe(`"${'a'.repeat(120)}"`);
  });

  it('cuts a long or heavily escaped input at whole characters, with "…" and its size in UTF-8 bytes', () => {
    expect(quoteInput('a'.repeat(121))).toBe(`"${'a'.repeat(120)}"… (121 bytes)`);
    expect(quoteInput('\u0000'.repeat(1000))).toBe(`"${'\\u0000'.repeat(20)}"… (1000 bytes)`);
    expect(quoteInput('ü'.repeat(50), 10)).toBe(`"${'ü'.repeat(10)}"… (100 bytes)`);
    expect(quoteInput('😀'.repeat(3), 3)).toBe('"😀"… (12 bytes)');
  });
});
