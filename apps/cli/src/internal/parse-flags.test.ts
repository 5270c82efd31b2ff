import { describe, expect, it } from 'vitest';
import { UsageError } from '../exit-error';
import { parseNumberFlag, parseTargetFpr, parseThreshold } from './parse-flags';

describe('numeric flags', () => {
  it('take decimal numbers as typed, with spaces around and an exponent', () => {
    expect(parseThreshold('0.5')).toBe(0.5);
    expect(parseThreshold(' .25 ')).toBe(0.25);
    expect(parseThreshold('1e-3')).toBe(0.001);
    expect(parseThreshold('1')).toBe(1);
    expect(parseNumberFlag('+42', 'epochs', { integer: true, min: 1 })).toBe(42);
    expect(parseNumberFlag('1E3', 'batch-size', { integer: true, min: 1 })).toBe(1000);
    expect(parseTargetFpr('0.01')).toBe(0.01);
  });

  it.each(['0x1', '0b1', '0o1', 'Infinity', '1_000', '', ' ', '1.2.3', '5%', '0x10'])('refuse %j, which Number() would take or mangle, as a usage error naming the flag', (value) => {
    expect(() => parseThreshold(value)).toThrow(UsageError);
    expect(() => parseThreshold(value)).toThrow(/^--threshold /);
    expect(() => parseNumberFlag(value, 'epochs', { integer: true, min: 1 })).toThrow(/^--epochs /);
    expect(() => parseTargetFpr(value)).toThrow(/^--target-fpr /);
  });
});
