import { describe, expect, it } from 'vitest';
import { VERSION } from './version';

describe('VERSION', () => {
  it('falls back to a source marker when not built', () => {
    expect(VERSION).toBe('0.0.0-source');
  });
});
