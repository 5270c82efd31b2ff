import { createHash } from 'node:crypto';
import { ModelError, throwIfAborted } from '../errors';
import type { SplitCounts } from '../train-model';
import { checkExample, iterateExamples, type ExampleSource } from './example-source';
import { encodeRow, type LengthEncoding } from './length-encoding';
import { WelfordAccumulator } from './normalization';
import { FamilyTable, PackedRows } from './packed-rows';
import type { SplitName } from './split';
import { standardizeRow, type TrainingData } from './training-data';

/** Options of {@link scanExamples}. */
export interface ScanExamplesOptions {
  width: number;
  encoding: LengthEncoding | undefined;
  /** Whether to compute the training-split mean/std (the preset standardizes). */
  standardize: boolean;
  /** Memory budget for the packed rows; over it the data is re-streamed every epoch. */
  cacheBytes: number;
  /** The caller's fixed test keys, only for the error when none matched. */
  testKeys: ReadonlySet<string> | undefined;
  /** Columns kept as they are (mean 0, std 1) when standardizing: the character codes. */
  unscaledColumns?: { readonly offset: number; readonly count: number } | undefined;
}

/** What the scan pass found. */
export interface ScanResult {
  data: TrainingData;
  split: SplitCounts;
  /** SHA-256 over `key \t label \t subclass \n` of every row in stream order, and the row count. */
  dataFingerprint: { sha256: string; rows: number };
}

const emptyCounts = (): SplitCounts => ({ train: { legit: 0, dga: 0 }, validation: { legit: 0, dga: 0 }, test: { legit: 0, dga: 0 } });

const packedBytes = (cache: Record<SplitName, PackedRows>): number => cache.train.byteLength + cache.validation.byteLength + cache.test.byteLength;

/**
 * The first pass over the examples: checks every row, assigns it to its split, counts rows per
 * split and class, hashes the data fingerprint, accumulates the training-split mean/std (Welford)
 * and keeps the encoded rows packed in memory while they fit in `cacheBytes`. Throws
 * `ERR_MODEL_EMPTY_SPLIT` when a split the training needs is empty.
 */
export async function scanExamples(source: ExampleSource, options: ScanExamplesOptions): Promise<ScanResult> {
  const { width, encoding, cacheBytes } = options;
  const families = new FamilyTable();
  const split = emptyCounts();
  const welford = options.standardize ? new WelfordAccumulator(width) : undefined;
  const hash = createHash('sha256');
  let cache: Record<SplitName, PackedRows> | undefined = {
    train: new PackedRows(width, families),
    validation: new PackedRows(width, families),
    test: new PackedRows(width, families),
  };
  const encoded = new Float32Array(width);
  let rows = 0;
  for await (const example of iterateExamples(source.examples())) {
    checkExample(example, source.size, rows, source.featureSetName);
    const splitName = source.splitter.assign(example);
    split[splitName][example.label === 1 ? 'dga' : 'legit'] += 1;
    hash.update(`${example.key}\t${example.label}\t${example.subclass}\n`);
    encodeRow(example.features, source.size, encoding, encoded, 0);
    if (splitName === 'train') welford?.add(encoded);
    if (cache !== undefined) {
      cache[splitName].push(encoded, example.label, example.subclass);
      if ((rows & 1023) === 0 && packedBytes(cache) > cacheBytes) cache = undefined;
    } else {
      families.indexOf(example.subclass);
    }
    rows += 1;
    if ((rows & 1023) === 0) {
      throwIfAborted(source.signal, 'trainModel');
      await source.maybeYield();
    }
  }
  if (cache !== undefined && packedBytes(cache) > cacheBytes) cache = undefined;
  throwIfAborted(source.signal, 'trainModel');
  checkSplitCounts(split, rows, options.testKeys);
  const normalization = welford?.result();
  // Character codes are categories the network one-hot encodes: never standardized.
  const codes = options.unscaledColumns;
  if (normalization !== undefined && codes !== undefined) {
    normalization.mean.fill(0, codes.offset, codes.offset + codes.count);
    normalization.std.fill(1, codes.offset, codes.offset + codes.count);
  }
  if (cache !== undefined && normalization !== undefined) {
    for (const rowsOfSplit of [cache.train, cache.validation]) {
      for (let row = 0; row < rowsOfSplit.length; row += 1) standardizeRow(rowsOfSplit.features, row * width, normalization);
    }
  }
  return {
    data: { ...source, width, encoding, normalization, cache },
    split,
    dataFingerprint: { sha256: hash.digest('hex'), rows },
  };
}

/** Throws `ERR_MODEL_EMPTY_SPLIT` unless there are test rows and training rows of both classes. */
function checkSplitCounts(split: SplitCounts, rows: number, testKeys: ReadonlySet<string> | undefined): void {
  const trainRows = split.train.legit + split.train.dga;
  const testRows = split.test.legit + split.test.dga;
  if (testKeys !== undefined && testRows === 0) {
    throw new ModelError('ERR_MODEL_EMPTY_SPLIT', `trainModel: none of the ${testKeys.size} testKeys is the key of an example (${rows} examples); pass the examples' keys (their domain labels, as featurized).`);
  }
  if (trainRows === 0 || testRows === 0) {
    throw new ModelError('ERR_MODEL_EMPTY_SPLIT', `trainModel: ${rows} examples gave ${trainRows} training and ${testRows} test rows; provide more rows (at least a few dozen of each class).`);
  }
  if (split.train.legit === 0 || split.train.dga === 0) {
    throw new ModelError('ERR_MODEL_EMPTY_SPLIT', `trainModel: the training split has ${split.train.legit} legit and ${split.train.dga} DGA rows; both classes are needed.`);
  }
}
