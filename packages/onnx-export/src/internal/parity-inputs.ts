import { createRng } from './rng';

/** How many seeded random rows every parity check adds to the caller's rows. */
export const DEFAULT_RANDOM_ROWS = 256;

/**
 * Extreme values for the features this project knows by name (`dga.feature_names`): a label is
 * at most 63 characters (253 for a whole host), its entropy at most log2 of the 38-symbol
 * alphabet, and every ratio/frequency lies in [0, 1]. Unknown names get [0, 1] plus the
 * column-wise extremes.
 */
const MAX_ENTROPY = Math.log2(38);
const knownExtremes: Readonly<Record<string, readonly number[]>> = {
  length: [0, 1, 63, 253],
  entropy: [0, MAX_ENTROPY],
};

export interface ParityInputsOptions {
  featureCount: number;
  /** Row-major `N × featureCount` rows from the caller (held-out data), used first and for column ranges. */
  callerRows?: Float32Array | undefined;
  /** Feature names in input order, to add meaningful extremes (`length`, `entropy`…). */
  featureNames?: readonly string[] | undefined;
  seed: number;
  randomRows: number;
}

/**
 * The rows a parity check runs through tfjs and ONNX Runtime: the caller's rows, an all-zero
 * row, rows pushing each column to its extremes (very long labels, maximal entropy, far beyond
 * the observed range), an all-extreme row, and seeded random rows spread over twice the
 * observed range of each column.
 */
export function buildParityInputs(options: ParityInputsOptions): Float32Array {
  const { featureCount, callerRows, featureNames } = options;
  const callerCount = callerRows === undefined ? 0 : callerRows.length / featureCount;
  const low = new Float64Array(featureCount).fill(Number.POSITIVE_INFINITY);
  const high = new Float64Array(featureCount).fill(Number.NEGATIVE_INFINITY);
  for (let row = 0; row < callerCount; row += 1) {
    for (let column = 0; column < featureCount; column += 1) {
      const value = callerRows?.[row * featureCount + column] ?? 0;
      if (value < (low[column] ?? 0)) low[column] = value;
      if (value > (high[column] ?? 0)) high[column] = value;
    }
  }
  for (let column = 0; column < featureCount; column += 1) {
    if (callerCount === 0) {
      low[column] = 0;
      high[column] = 1;
    }
  }

  const extras: number[][] = [];
  const middle = Array.from({ length: featureCount }, (_, column) => ((low[column] ?? 0) + (high[column] ?? 0)) / 2);
  extras.push(new Array<number>(featureCount).fill(0));
  const allHigh: number[] = [];
  for (let column = 0; column < featureCount; column += 1) {
    const name = featureNames?.[column];
    const known = name === undefined ? undefined : knownExtremes[name];
    const span = Math.max((high[column] ?? 0) - (low[column] ?? 0), 1);
    const values = new Set<number>([
      ...(known ?? [0, 1]),
      low[column] ?? 0,
      high[column] ?? 0,
      (high[column] ?? 0) + 4 * span,
      (low[column] ?? 0) - 4 * span,
    ]);
    for (const value of values) {
      const row = [...middle];
      row[column] = value;
      extras.push(row);
    }
    allHigh.push(Math.max(...values));
  }
  extras.push(allHigh);
  // A "huge length, maximal entropy" row when both names are present.
  const lengthColumn = featureNames?.indexOf('length') ?? -1;
  const entropyColumn = featureNames?.indexOf('entropy') ?? -1;
  if (lengthColumn >= 0 && entropyColumn >= 0) {
    const row = [...middle];
    row[lengthColumn] = 253;
    row[entropyColumn] = MAX_ENTROPY;
    extras.push(row);
  }

  const rng = createRng(options.seed);
  const total = callerCount + extras.length + options.randomRows;
  const rows = new Float32Array(total * featureCount);
  if (callerRows !== undefined) rows.set(callerRows, 0);
  let offset = callerCount * featureCount;
  for (const row of extras) {
    rows.set(row, offset);
    offset += featureCount;
  }
  for (let row = 0; row < options.randomRows; row += 1) {
    for (let column = 0; column < featureCount; column += 1) {
      const span = Math.max((high[column] ?? 0) - (low[column] ?? 0), 1);
      rows[offset] = (low[column] ?? 0) - span / 2 + rng() * span * 2;
      offset += 1;
    }
  }
  return rows;
}
