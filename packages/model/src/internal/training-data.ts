import type { ExampleSource } from './example-source';
import type { LengthEncoding } from './length-encoding';
import type { Normalization } from './normalization';
import type { PackedRows } from './packed-rows';
import type { SplitName } from './split';

/**
 * The examples of a `trainModel` run after the scan pass: how to re-read them, how rows are
 * encoded for the network, and the packed rows when they fit in memory.
 */
export interface TrainingData extends ExampleSource {
  /** Width of the network's input: the features, plus the length flags when the preset encodes length. */
  readonly width: number;
  readonly encoding: LengthEncoding | undefined;
  /** Training-split mean and std of every network input, when the preset standardizes. */
  readonly normalization: Normalization | undefined;
  /**
   * The encoded rows of every split, or undefined in stream mode. Train and validation rows are
   * standardized, test rows raw.
   */
  readonly cache: Record<SplitName, PackedRows> | undefined;
}

/** Standardizes one encoded row of `values` at `offset` in place (no-op without normalization). */
export function standardizeRow(values: Float32Array, offset: number, normalization: Normalization | undefined): void {
  if (normalization === undefined) return;
  const width = normalization.mean.length;
  for (let index = 0; index < width; index += 1) {
    values[offset + index] = (values[offset + index]! - normalization.mean[index]!) / normalization.std[index]!;
  }
}
