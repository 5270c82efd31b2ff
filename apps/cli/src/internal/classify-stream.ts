import { getFeatureSet, tryExtractLabel, type FeatureSetName } from '@dga/features';
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
  /** Why the input could not be classified (no registrable label). */
  error?: string;
}

/** What {@link classifyStream} needs from a model: `@dga/onnx-export`'s `OnnxClassifier` fits. */
export interface RowPredictor {
  predict(rows: Float32Array): Promise<Float32Array>;
}

/** Options of {@link classifyStream}. */
export interface ClassifyStreamOptions {
  featureSet: FeatureSetName;
  /** Number of outputs per row (2 for the softmax models). */
  outputSize: number;
  /** `malicious` is true when `probability >= threshold`. @default 0.5 */
  threshold?: number;
  /** Rows per model call. @default 4096 */
  batchSize?: number;
  signal?: AbortSignal;
}

const contractFeatures = ['length', 'entropy', 'vowel_proportion'] as const;

/**
 * Classifies a stream of inputs (domains, URLs, hosts) in constant memory: batches of
 * `batchSize` are featurized into one reused buffer, scored in one model call, and yielded in
 * input order. Inputs without a registrable label are yielded with `error` and null scores.
 *
 * @example
 * for await (const record of classifyStream(inputs, classifier, { featureSet: 'extended', outputSize: 2 })) {
 *   console.log(record.input, record.probability);
 * }
 */
export async function* classifyStream(
  inputs: AsyncIterable<{ value: string }> | Iterable<{ value: string }>,
  model: RowPredictor,
  options: ClassifyStreamOptions,
): AsyncGenerator<ClassifyRecord> {
  const set = getFeatureSet(options.featureSet);
  const size = set.size;
  const threshold = options.threshold ?? 0.5;
  const batchSize = options.batchSize ?? 4096;
  const positions = contractFeatures.map((name) => set.featureNames.indexOf(name));
  // Features are computed in float64 (what `dga features` prints) and converted once per batch
  // to the float32 rows the model takes.
  const buffer = new Float64Array(batchSize * size);
  const rowsBuffer = new Float32Array(batchSize * size);
  const pending: { input: string; label: string | undefined; row: number }[] = [];
  let rows = 0;

  const flush = async function* (): AsyncGenerator<ClassifyRecord> {
    let outputs: Float32Array = new Float32Array(0);
    if (rows > 0) {
      rowsBuffer.set(buffer.subarray(0, rows * size));
      try {
        outputs = await model.predict(rowsBuffer.subarray(0, rows * size));
      } catch (error) {
        throw nameNonFiniteRow(error, (row) => `input ${JSON.stringify(pending.find((item) => item.row === row)?.input)}`);
      }
    }
    for (const item of pending) {
      if (item.label === undefined) {
        yield {
          input: item.input,
          label: null,
          length: null,
          entropy: null,
          vowel_proportion: null,
          probability: null,
          malicious: null,
          error: 'no registrable label: not a domain, URL or host name',
        };
        continue;
      }
      const offset = item.row * size;
      const feature = (index: number) => (index === -1 ? null : buffer[offset + index]!);
      const probability = outputs[item.row * options.outputSize + 1]!;
      yield {
        input: item.input,
        label: item.label,
        length: feature(positions[0]!),
        entropy: feature(positions[1]!),
        vowel_proportion: feature(positions[2]!),
        probability,
        malicious: probability >= threshold,
      };
    }
    pending.length = 0;
    rows = 0;
  };

  for await (const { value } of inputs) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    const label = tryExtractLabel(value);
    if (label === undefined || label === '') {
      pending.push({ input: value, label: undefined, row: -1 });
    } else {
      set.compute(label, buffer, rows * size);
      pending.push({ input: value, label, row: rows });
      rows += 1;
    }
    if (rows === batchSize || pending.length >= batchSize * 2) yield* flush();
  }
  if (pending.length > 0) yield* flush();
}
