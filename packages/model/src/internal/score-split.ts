import type * as tf from '@tensorflow/tfjs';
import { throwIfAborted } from '../errors';
import type { ScoredRows } from '../train-model';
import { streamSplit } from './example-source';
import { encodeRow } from './length-encoding';
import { predictRows } from './predict-rows';
import type { SplitName } from './split';
import { standardizeRow, type TrainingData } from './training-data';

const EVAL_BATCH = 4096;

/**
 * What scores a split: the `network` in training takes standardized encoded rows; the `final`
 * saved model takes raw features.
 */
export type ScoringTarget = 'network' | 'final';

/** P(DGA) of every row of split `wanted`, scored by `scorer` (the model of `target`). */
export async function scoreSplit(data: TrainingData, wanted: SplitName, scorer: tf.LayersModel, target: ScoringTarget): Promise<ScoredRows> {
  const columns = target === 'network' ? data.width : data.size;
  const scores: number[] = [];
  const labels: number[] = [];
  const families: string[] = [];
  const x = new Float32Array(EVAL_BATCH * columns);
  const predictChunk = (count: number): void => {
    const output = predictRows(scorer, x, count, columns);
    for (let row = 0; row < count; row += 1) scores.push(output[row * 2 + 1]!);
  };
  const rows = { x, labels, families, predictChunk };
  await (data.cache === undefined ? fillFromStream(data, wanted, target, rows) : fillFromCache(data, wanted, target, rows));
  return { scores: Float32Array.from(scores), labels: Uint8Array.from(labels), families };
}

/** The scoring buffer and where the rows' labels and families go. */
interface ScoringRows {
  x: Float32Array;
  labels: number[];
  families: string[];
  /** Scores the first `count` rows of `x`. */
  predictChunk(count: number): void;
}

async function fillFromCache(data: TrainingData, wanted: SplitName, target: ScoringTarget, rows: ScoringRows): Promise<void> {
  const { width, normalization } = data;
  const columns = target === 'network' ? width : data.size;
  const packed = data.cache![wanted];
  // Cached train/validation rows are standardized, test rows raw.
  const cachedStandardized = wanted !== 'test' && normalization !== undefined;
  for (let start = 0; start < packed.length; start += EVAL_BATCH) {
    const count = Math.min(EVAL_BATCH, packed.length - start);
    for (let row = 0; row < count; row += 1) {
      const from = (start + row) * width;
      for (let index = 0; index < columns; index += 1) {
        const value = packed.features[from + index]!;
        rows.x[row * columns + index] =
          normalization === undefined || cachedStandardized === (target === 'network')
            ? value
            : cachedStandardized
              ? value * normalization.std[index]! + normalization.mean[index]!
              : (value - normalization.mean[index]!) / normalization.std[index]!;
      }
      rows.labels.push(packed.labels[start + row]!);
      rows.families.push(packed.family(start + row));
    }
    rows.predictChunk(count);
    throwIfAborted(data.signal, 'trainModel');
    await data.maybeYield();
  }
}

async function fillFromStream(data: TrainingData, wanted: SplitName, target: ScoringTarget, rows: ScoringRows): Promise<void> {
  const { width, size } = data;
  let count = 0;
  for await (const row of streamSplit(data, wanted)) {
    if (target === 'network') {
      encodeRow(row.features, size, data.encoding, rows.x, count * width);
      standardizeRow(rows.x, count * width, data.normalization);
    } else {
      rows.x.set(row.features, count * size);
    }
    rows.labels.push(row.label);
    rows.families.push(row.family);
    count += 1;
    if (count === EVAL_BATCH) {
      rows.predictChunk(count);
      count = 0;
    }
  }
  if (count > 0) rows.predictChunk(count);
}
