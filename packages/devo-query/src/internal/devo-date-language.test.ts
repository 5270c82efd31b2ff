import { describe, expect, it } from 'vitest';
import { evaluateDevoDate } from './devo-date-language';

// Thursday 2023-11-16 10:30:45 UTC
const NOW = Date.UTC(2023, 10, 16, 10, 30, 45);

describe('evaluateDevoDate (date language of the fake server)', () => {
  it('evaluates expressions left to right with snapping and next/previous units (docs/reference/devo-query-api.md §4)', () => {
    expect(evaluateDevoDate('now()', NOW, 'from')).toBe(NOW);
    expect(evaluateDevoDate('now() - 1h', NOW, 'from')).toBe(NOW - 3_600_000);
    expect(evaluateDevoDate('(now() - 1d) @ 1d', NOW, 'from')).toBe(Date.UTC(2023, 10, 15));
    expect(evaluateDevoDate('now() |< 1h', NOW, 'from')).toBe(Date.UTC(2023, 10, 16, 10));
    expect(evaluateDevoDate('now() @ 1w', NOW, 'from')).toBe(Date.UTC(2023, 10, 13)); // Monday
    expect(evaluateDevoDate('now() @ 1M', NOW, 'from')).toBe(Date.UTC(2023, 10, 1));
    expect(evaluateDevoDate('now() >> 1d', NOW, 'from')).toBe(Date.UTC(2023, 10, 17));
    expect(evaluateDevoDate('now() << 1M', NOW, 'from')).toBe(Date.UTC(2023, 9, 1));
  });

  it('knows the legacy shorthands, going back in from and forward from "from" in to', () => {
    expect(evaluateDevoDate('today', NOW, 'from')).toBe(Date.UTC(2023, 10, 16));
    expect(evaluateDevoDate('now', NOW, 'from')).toBe(NOW);
    expect(evaluateDevoDate('2d', NOW, 'from')).toBe(NOW - 2 * 86_400_000);
    expect(evaluateDevoDate('1ad', NOW, 'from')).toBe(Date.UTC(2023, 10, 15));
    expect(evaluateDevoDate('3h', NOW, 'to', Date.UTC(2023, 10, 16))).toBe(Date.UTC(2023, 10, 16, 3));
    expect(evaluateDevoDate('endday', NOW, 'to', Date.UTC(2023, 10, 10, 5))).toBe(Date.UTC(2023, 10, 10, 23, 59, 59));
  });

  it('returns undefined for what it does not understand', () => {
    for (const text of ['2023-11-16T00:00:00Z', 'now() ^ 1d', 'yesterday', 'now() - ', '(now()']) {
      expect(evaluateDevoDate(text, NOW, 'from')).toBeUndefined();
    }
  });
});
