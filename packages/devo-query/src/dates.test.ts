import { describe, expect, it } from 'vitest';
import { DevoQueryError } from './errors';
import { evaluateDateExpression, resolveQueryDate } from './dates';

// 2026-11-28 23:40:30.500 UTC
const NOW = Date.UTC(2026, 10, 28, 23, 40, 30, 500);
const NOW_SECONDS = Math.floor(NOW / 1000);
const TODAY_SECONDS = Date.UTC(2026, 10, 28) / 1000;

describe('resolveQueryDate', () => {
  it('converts Date and epoch ms to epoch seconds', () => {
    expect(resolveQueryDate(new Date(Date.UTC(2024, 0, 1)), 'from', NOW)).toBe(1704067200);
    expect(resolveQueryDate(1704067200999, 'from', NOW)).toBe(1704067200);
  });

  it('refuses a 10-digit number, which is epoch seconds passed where ms are expected', () => {
    expect(() => resolveQueryDate(1704067200, 'from', NOW)).toThrow(/looks like epoch seconds/);
    expect(resolveQueryDate(0, 'from', NOW)).toBe(0);
  });

  it('reads YYYY-MM-DD[ HH:MM:SS] as UTC (docs/reference/devo-query-api.md §4 table)', () => {
    expect(resolveQueryDate('2024-01-01', 'from', NOW)).toBe(1704067200);
    expect(resolveQueryDate('2024-01-01 12:30:00', 'from', NOW)).toBe(1704112200);
  });

  it('keeps 10-digit integers as seconds and divides other integers by 1000', () => {
    expect(resolveQueryDate('1704067200', 'from', NOW)).toBe(1704067200);
    expect(resolveQueryDate('1704067200000', 'from', NOW)).toBe(1704067200);
  });

  it('evaluates the Python SDK expressions with the injected clock', () => {
    expect(resolveQueryDate('now()-1*hour()', 'from', NOW)).toBe(NOW_SECONDS - 3600);
    expect(resolveQueryDate('today() - 2 * day()', 'from', NOW)).toBe(TODAY_SECONDS - 2 * 86400);
    expect(resolveQueryDate('yesterday()', 'from', NOW)).toBe(TODAY_SECONDS - 86400);
    expect(resolveQueryDate('now() - (month() + week()) / 2', 'from', NOW)).toBe(Math.floor((NOW - (30 + 7) * 43_200_000) / 1000));
    expect(resolveQueryDate(' now() ', 'to', NOW)).toBe(NOW_SECONDS);
  });

  it('passes Devo date-language strings through unchanged', () => {
    for (const text of ['now() - 1h', '1d', 'today', '(now() - 1d) @ 1d', 'endday', '2ad', 'now() >> 1w']) {
      expect(resolveQueryDate(text, 'from', NOW)).toBe(text);
    }
  });

  it('rejects ISO-8601 text locally with ERR_QUERY_INVALID_DATE', () => {
    for (const text of ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000+02:00', '2024-01-01 12:30']) {
      const error = (() => {
        try {
          resolveQueryDate(text, 'from', NOW);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(DevoQueryError.isInstance(error)).toBe(true);
      expect((error as DevoQueryError).code).toBe('ERR_QUERY_INVALID_DATE');
      expect((error as DevoQueryError).message).toContain('"from"');
    }
  });

  it('rejects impossible calendar dates, empty strings and invalid Dates', () => {
    expect(() => resolveQueryDate('2024-02-30', 'from', NOW)).toThrow(/not a valid calendar date/);
    expect(() => resolveQueryDate('  ', 'to', NOW)).toThrow(/"to"/);
    expect(() => resolveQueryDate(new Date(Number.NaN), 'from', NOW)).toThrow(/invalid Date/);
    expect(() => resolveQueryDate(Number.POSITIVE_INFINITY, 'from', NOW)).toThrow(/finite/);
  });
});

describe('evaluateDateExpression', () => {
  it('never evaluates code: unknown names and syntax are not expressions', () => {
    expect(evaluateDateExpression('process.exit()', NOW)).toBeUndefined();
    expect(evaluateDateExpression('constructor()', NOW)).toBeUndefined();
    expect(evaluateDateExpression('now() -', NOW)).toBeUndefined();
    expect(evaluateDateExpression('1 + 2', NOW)).toBeUndefined();
  });
});
