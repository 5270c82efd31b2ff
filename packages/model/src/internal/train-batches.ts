import { encodeRow } from './length-encoding';
import type { PackedRows } from './packed-rows';
import { shuffleInPlace, type Rng } from './rng';
import { streamSplit } from './example-source';
import { standardizeRow, type TrainingData } from './training-data';

/** A batch of standardized encoded training rows (`count` rows of the data's `width`). */
export interface TrainBatch {
  x: Float32Array;
  labels: Uint8Array;
  count: number;
}

/**
 * Batches of standardized encoded training rows for one epoch, shuffled with the seeded `rng`:
 * a full permutation of the packed rows in memory mode, a seeded shuffle buffer of
 * `shuffleBufferRows` rows in stream mode.
 */
export function streamTrainBatches(data: TrainingData, rng: Rng, batchSize: number, shuffleBufferRows: number): AsyncIterable<TrainBatch> | Iterable<TrainBatch> {
  return data.cache === undefined ? shuffleBufferBatches(data, rng, batchSize, shuffleBufferRows) : packedBatches(data.cache.train, data.width, rng, batchSize);
}

function identity(length: number): Uint32Array {
  const order = new Uint32Array(length);
  for (let index = 0; index < length; index += 1) order[index] = index;
  return order;
}

/** Memory mode: a seeded permutation of the packed training rows. */
function* packedBatches(train: PackedRows, width: number, rng: Rng, batchSize: number): Generator<TrainBatch> {
  const order = identity(train.length);
  shuffleInPlace(order, rng);
  for (let start = 0; start < order.length; start += batchSize) {
    const count = Math.min(batchSize, order.length - start);
    const x = new Float32Array(count * width);
    const labels = new Uint8Array(count);
    for (let row = 0; row < count; row += 1) {
      const source = order[start + row]!;
      x.set(train.features.subarray(source * width, source * width + width), row * width);
      labels[row] = train.labels[source]!;
    }
    yield { x, labels, count };
  }
}

/** Stream mode: a seeded shuffle buffer of packed, encoded, standardized rows. */
async function* shuffleBufferBatches(data: TrainingData, rng: Rng, batchSize: number, shuffleBufferRows: number): AsyncGenerator<TrainBatch> {
  const { width, size, encoding, normalization } = data;
  const capacity = Math.max(shuffleBufferRows, batchSize);
  const buffer = new Float32Array(capacity * width);
  const bufferLabels = new Uint8Array(capacity);
  let filled = 0;
  let x = new Float32Array(batchSize * width);
  let labels = new Uint8Array(batchSize);
  let count = 0;
  const emit = (slot: number): boolean => {
    x.set(buffer.subarray(slot * width, slot * width + width), count * width);
    labels[count] = bufferLabels[slot]!;
    count += 1;
    return count === batchSize;
  };
  const take = (): TrainBatch => {
    const batch = { x, labels, count };
    x = new Float32Array(batchSize * width);
    labels = new Uint8Array(batchSize);
    count = 0;
    return batch;
  };
  const store = (slot: number, features: Float32Array, label: number): void => {
    encodeRow(features, size, encoding, buffer, slot * width);
    standardizeRow(buffer, slot * width, normalization);
    bufferLabels[slot] = label;
  };
  for await (const row of streamSplit(data, 'train')) {
    if (filled < capacity) {
      store(filled, row.features, row.label);
      filled += 1;
      continue;
    }
    const slot = rng.nextInt(capacity);
    const full = emit(slot);
    store(slot, row.features, row.label);
    if (full) yield take();
  }
  const rest = identity(filled);
  shuffleInPlace(rest, rng);
  for (const slot of rest) {
    if (emit(slot)) yield take();
  }
  if (count > 0) yield { x: x.subarray(0, count * width), labels: labels.subarray(0, count), count };
}
