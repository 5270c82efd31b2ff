import { describe, expect, it } from 'vitest';
import { WelfordAccumulator } from './normalization';

describe('WelfordAccumulator', () => {
  it('matches the two-pass population mean and std, and gives constant features std 1', () => {
    const rows = [
      [1, 10, 5],
      [2, 20, 5],
      [4, 40, 5],
      [9, 90, 5],
    ];
    const accumulator = new WelfordAccumulator(3);
    for (const row of rows) accumulator.add(row);
    const { mean, std } = accumulator.result();
    // Two-pass by hand: column 0 mean 4, deviations -3,-2,0,5 → variance 38/4.
    expect(mean[0]).toBeCloseTo(4, 6);
    expect(std[0]).toBeCloseTo(Math.sqrt(38 / 4), 6);
    expect(mean[1]).toBeCloseTo(40, 5);
    expect(std[1]).toBeCloseTo(10 * Math.sqrt(38 / 4), 5);
    expect(mean[2]).toBe(5);
    expect(std[2]).toBe(1);
  });
});
