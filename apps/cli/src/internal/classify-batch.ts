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
  /** Rows per model call. @default 4096 */
  batchSize?: number;
}

/** Inputs collected for one model call; {@link ClassifyBatch.score} scores and empties it. */
export interface ClassifyBatch {
  /** Adds an input (its label and features are computed now); true when the batch is full. */
  add(input: string): boolean;
  /** Inputs added since the last `score`. */
  readonly size: number;
  /** Scores the inputs added so far in one model call and returns their records in input order. */
  score(model: RowPredictor): Promise<ClassifyRecord[]>;
}

const contractFeatures = ['length', 'entropy', 'vowel_proportion'] as const;

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
  const batchSize = options.batchSize ?? 4096;
  const outputSize = options.outputSize;
  const [lengthAt, entropyAt, vowelsAt] = contractFeatures.map((name) => set.featureNames.indexOf(name)) as [number, number, number];
  // Features are computed in float64 (what `dga features` prints) and converted once per batch
  // to the float32 rows the model takes.
  const buffer = new Float64Array(batchSize * size);
  const rowsBuffer = new Float32Array(batchSize * size);
  const inputs: string[] = [];
  /** The label of each input (null: none); `errors` says why one is not scored (undefined: scored). */
  const labels: (string | null)[] = [];
  const errors: (string | undefined)[] = [];
  let rows = 0;

  const record = (index: number, row: number, outputs: Float32Array): ClassifyRecord => {
    const input = inputs[index]!;
    const label = labels[index]!;
    const error = errors[index];
    if (error !== undefined) {
      return { input, label, length: null, entropy: null, vowel_proportion: null, probability: null, malicious: null, error };
    }
    const offset = row * size;
    const probability = outputs[row * outputSize + 1]!;
    return {
      input,
      label,
      length: lengthAt === -1 ? null : buffer[offset + lengthAt]!,
      entropy: entropyAt === -1 ? null : buffer[offset + entropyAt]!,
      vowel_proportion: vowelsAt === -1 ? null : buffer[offset + vowelsAt]!,
      probability,
      malicious: probability >= threshold,
    };
  };

  return {
    add(input) {
      const label = labelToScore(input, psl);
      inputs.push(input);
      if (typeof label === 'string') {
        set.compute(label, buffer, rows * size);
        labels.push(label);
        errors.push(undefined);
        rows += 1;
      } else {
        labels.push(label.label);
        errors.push(label.error);
      }
      return rows === batchSize || inputs.length >= batchSize * 2;
    },
    get size() {
      return inputs.length;
    },
    async score(model) {
      let outputs: Float32Array = new Float32Array(0);
      if (rows > 0) {
        rowsBuffer.set(buffer.subarray(0, rows * size));
        try {
          outputs = await model.predict(rowsBuffer.subarray(0, rows * size));
        } catch (error) {
          throw nameNonFiniteRow(error, (row) => `input ${JSON.stringify(inputAtRow(row))}`);
        }
      }
      const records = new Array<ClassifyRecord>(inputs.length);
      let row = 0;
      for (let index = 0; index < inputs.length; index++) {
        records[index] = record(index, row, outputs);
        if (errors[index] === undefined) row += 1;
      }
      inputs.length = 0;
      labels.length = 0;
      errors.length = 0;
      rows = 0;
      return records;
    },
  };

  function inputAtRow(row: number): string | undefined {
    let seen = 0;
    for (let index = 0; index < inputs.length; index++) {
      if (errors[index] !== undefined) continue;
      if (seen === row) return inputs[index];
      seen += 1;
    }
    return undefined;
  }
}
