import { describe, expect, it } from 'vitest';
import { buildParityInputs } from './parity-inputs';

function rowsOf(values: Float32Array, width: number): number[][] {
  const rows: number[][] = [];
  for (let start = 0; start < values.length; start += width) rows.push(Array.from(values.subarray(start, start + width)));
  return rows;
}

describe('buildParityInputs', () => {
  const caller = new Float32Array([10, 3, 0.4, 20, 4, 0.2]);
  const names = ['length', 'entropy', 'vowel_proportion'];

  it('keeps the caller rows first, then adds zeros, extremes and random rows', () => {
    const rows = rowsOf(buildParityInputs({ featureCount: 3, callerRows: caller, featureNames: names, seed: 42, randomRows: 10 }), 3);
    expect(rows.slice(0, 2)).toEqual([
      [10, 3, expect.closeTo(0.4, 6)],
      [20, 4, expect.closeTo(0.2, 6)],
    ]);
    expect(rows[2]).toEqual([0, 0, 0]);
    const lengths = rows.map((row) => row[0]);
    expect(lengths).toContain(253); // a very long host
    expect(lengths).toContain(63); // the longest label
    expect(rows.some((row) => row[0] === 253 && Math.abs((row[1] ?? 0) - Math.log2(38)) < 1e-6)).toBe(true); // max entropy
    expect(rows.slice(-10).every((row) => row.every(Number.isFinite))).toBe(true);
  });

  it('is deterministic for a seed and changes with it', () => {
    const options = { featureCount: 3, callerRows: caller, seed: 42, randomRows: 20 };
    expect(buildParityInputs(options)).toEqual(buildParityInputs(options));
    expect(buildParityInputs(options)).not.toEqual(buildParityInputs({ ...options, seed: 43 }));
  });

  it('works without caller rows or names', () => {
    const values = buildParityInputs({ featureCount: 2, seed: 1, randomRows: 5 });
    expect(values.length % 2).toBe(0);
    expect(values.length / 2).toBeGreaterThan(5);
  });
});
