import { getFeatureSet, type FeatureSetName, type PslMode } from '@dga/features';
import { labelToScore } from './classify-host';
import { nameNonFiniteRow } from './model-info';

/** One classified input: the `features` contract fields plus `probability` and `malicious`. */
export interface ClassifyRecord {
  input: string;
  label: string | null;
  length: number | null;
  entropy: number | null;
  vowel_proportion: number | null;
  /** P(DGA), output index 1 of the model. */
  probability: number | null;
  malicious: boolean | null;
  /**
   * Why the input was not scored: it has no registrable label (`NO_LABEL_REASON`; `label` is
   * null), or its label is an IDN label (`IDN_REASON`; `label` is the `xn--` label).
   */
  error?: string;
}

/** What a classify batch needs from a model: `@dga/onnx-export`'s `OnnxClassifier` fits. */
export interface RowPredictor {
  predict(rows: Float32Array): Promise<Float32Array>;
}

/** How inputs are scored: the model's feature set, PSL rules and output width, and the verdict threshold. */
export interface ClassifyBatchOptions {
  featureSet: FeatureSetName;
  /** Public Suffix List rules of the labels, as the model was trained (`dga.psl_mode`). @default 'all' */
  psl?: PslMode;
  /** Number of outputs per row (2 for the softmax models). */
  outputSize: number;
  /** `malicious` is true when `probability >= threshold`. @default 0.5 */
  threshold?: number;
  /** Rows per model call. @default DEFAULT_CLASSIFY_BATCH_SIZE */
  batchSize?: number;
}

/**
 * A scored batch as columns, valid only inside {@link ClassifyBatch.run}'s callback: input
 * `index` is scored when `errors[index]` is undefined, and the scored inputs take the rows of
 * `features` and `outputs` in input order.
 */
export interface ScoredBatch {
  /** Inputs in the batch: the first `count` entries of `inputs`, `labels` and `errors` (the arrays are reused). */
  readonly count: number;
  readonly inputs: readonly string[];
  /** The label of each input (null: none). */
  readonly labels: readonly (string | null)[];
  /** Why each input is not scored (undefined: scored). */
  readonly errors: readonly (string | undefined)[];
  /**
   * The contract features of the scored inputs in float64 (what `dga features` prints),
   * {@link CONTRACT_SIZE} per row: `length`, `entropy`, `vowel_proportion`.
   */
  readonly contract: Float64Array;
  /** Where `length`, `entropy` and `vowel_proportion` are in a row of `contract` (-1: the model's set has no such feature). */
  readonly lengthAt: number;
  readonly entropyAt: number;
  readonly vowelsAt: number;
  /** The model's outputs of the scored inputs, `outputSize` per row; P(DGA) is output 1. */
  readonly outputs: Float32Array;
  readonly outputSize: number;
  readonly threshold: number;
}

/** Inputs collected for one model call; {@link ClassifyBatch.score} scores and empties it. */
export interface ClassifyBatch {
  /** Adds an input (its label and features are computed now); true when the batch is full. */
  add(input: string): boolean;
  /** Inputs added since the last `score`. */
  readonly size: number;
  /** Scores the inputs added so far in one model call and returns their records in input order. */
  score(model: RowPredictor): Promise<ClassifyRecord[]>;
  /**
   * Scores the inputs added so far in one model call, hands them to `consume` as columns (no
   * record objects: what the renderers of `dga classify` read), empties the batch and returns
   * what `consume` returned.
   */
  run<T>(model: RowPredictor, consume: (scored: ScoredBatch) => T): Promise<T>;
}

/**
 * The record of input `index` of `scored`, `row` being its row among the scored inputs (the
 * number of scored inputs before it).
 */
export function recordAt(scored: ScoredBatch, index: number, row: number): ClassifyRecord {
  const input = scored.inputs[index]!;
  const label = scored.labels[index]!;
  const error = scored.errors[index];
  if (error !== undefined) {
    return { input, label, length: null, entropy: null, vowel_proportion: null, probability: null, malicious: null, error };
  }
  const offset = row * CONTRACT_SIZE;
  const probability = scored.outputs[row * scored.outputSize + 1]!;
  return {
    input,
    label,
    length: scored.lengthAt === -1 ? null : scored.contract[offset + scored.lengthAt]!,
    entropy: scored.entropyAt === -1 ? null : scored.contract[offset + scored.entropyAt]!,
    vowel_proportion: scored.vowelsAt === -1 ? null : scored.contract[offset + scored.vowelsAt]!,
    probability,
    malicious: probability >= scored.threshold,
  };
}

/** The records of `scored`, in input order. */
function recordsOf(scored: ScoredBatch): ClassifyRecord[] {
  const records = new Array<ClassifyRecord>(scored.count);
  let row = 0;
  for (let index = 0; index < records.length; index++) {
    records[index] = recordAt(scored, index, row);
    if (scored.errors[index] === undefined) row += 1;
  }
  return records;
}

/**
 * Rows per model call of `dga classify` unless told (`--batch-size`). Measured on this project's
 * 2-core machine (the default bigram model, one intra-op thread): ONNX Runtime takes 0.67–0.78 CPU
 * seconds per million rows in calls of 1,024 rows, 0.72–0.87 in calls of 512 or 2,048 and
 * 0.96 in calls of 4,096 or 8,192 (the rows of a call then no longer stay in the CPU's cache); the
 * batch's feature buffers take 3 MiB instead of 12.
 */
export const DEFAULT_CLASSIFY_BATCH_SIZE = 1024;

/**
 * The contract features (`length`, `entropy`, `vowel_proportion`) are the `tutorial` set, whose
 * definitions every larger set starts with: computing them with it gives the same float64 values
 * as the model's own set.
 */
const contractSet = getFeatureSet('tutorial');

/** Values per row of {@link ScoredBatch.contract}. */
export const CONTRACT_SIZE: number = contractSet.size;

/**
 * A reusable batch: labels and features go into one buffer as inputs are added, and one model
 * call scores them. The batch is full at `batchSize` scored inputs, or at twice as many inputs
 * in all (inputs not scored, without a label or with an IDN label, ride along with `error` and
 * null scores).
 *
 * @example
 * const batch = createClassifyBatch({ featureSet: 'bigram', outputSize: 2 });
 * batch.add('google.com');
 * const [record] = await batch.score(classifier);
 */
export function createClassifyBatch(options: ClassifyBatchOptions): ClassifyBatch {
  const set = getFeatureSet(options.featureSet);
  const size = set.size;
  const psl = options.psl ?? 'all';
  const threshold = options.threshold ?? 0.5;
  const batchSize = options.batchSize ?? DEFAULT_CLASSIFY_BATCH_SIZE;
  const outputSize = options.outputSize;
  // A contract feature is printed when the model's set has it.
  const [lengthAt, entropyAt, vowelsAt] = contractSet.featureNames.map((name, slot) => (set.featureNames.includes(name) ? slot : -1)) as [number, number, number];
  // The model's rows go straight into float32 (storing a float64 rounds it as a conversion
  // would, so the rows are the same); the printed contract features are float64.
  const rowsBuffer = new Float32Array(batchSize * size);
  const contract = new Float64Array(batchSize * CONTRACT_SIZE);
  // Reused from batch to batch, filled up to `count` (emptying an array gives its storage back,
  // which then grows again: about 85 bytes of garbage per input).
  const inputs: string[] = [];
  /** The label of each input (null: none); `errors` says why one is not scored (undefined: scored). */
  const labels: (string | null)[] = [];
  const errors: (string | undefined)[] = [];
  let count = 0;
  let rows = 0;

  const run = async <T>(model: RowPredictor, consume: (scored: ScoredBatch) => T): Promise<T> => {
    let outputs: Float32Array = new Float32Array(0);
    if (rows > 0) {
      try {
        outputs = await model.predict(rowsBuffer.subarray(0, rows * size));
      } catch (error) {
        throw nameNonFiniteRow(error, (row) => `input ${JSON.stringify(inputAtRow(row))}`);
      }
    }
    try {
      return consume({ count, inputs, labels, errors, contract, lengthAt, entropyAt, vowelsAt, outputs, outputSize, threshold });
    } finally {
      count = 0;
      rows = 0;
    }
  };

  return {
    add(input) {
      const label = labelToScore(input, psl);
      inputs[count] = input;
      if (typeof label === 'string') {
        set.compute(label, rowsBuffer, rows * size);
        contractSet.compute(label, contract, rows * CONTRACT_SIZE);
        labels[count] = label;
        errors[count] = undefined;
        rows += 1;
      } else {
        labels[count] = label.label;
        errors[count] = label.error;
      }
      count += 1;
      return rows === batchSize || count >= batchSize * 2;
    },
    get size() {
      return count;
    },
    score: (model) => run(model, recordsOf),
    run,
  };

  function inputAtRow(row: number): string | undefined {
    let seen = 0;
    for (let index = 0; index < count; index++) {
      if (errors[index] !== undefined) continue;
      if (seen === row) return inputs[index];
      seen += 1;
    }
    return undefined;
  }
}
