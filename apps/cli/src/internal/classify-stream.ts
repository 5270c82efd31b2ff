import { getFeatureSet, isIdnLabel, tryExtractLabel, type FeatureSetName, type PslMode } from '@dga/features';
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
   * Why the input was not scored: it has no registrable label ({@link NO_LABEL_REASON}; `label`
   * is null), or its label is an IDN label ({@link IDN_REASON}; `label` is the `xn--` label).
   */
  error?: string;
}

/** The `error` of an input without a registrable label. */
export const NO_LABEL_REASON = 'no registrable label: not a domain, URL or host name';

/**
 * The `error` of an input whose label is an IDN (punycode) label: not scored, as the generated
 * Devo query does not score it either (ADR 0011: once encoded, an IDN looks random to the model).
 */
export const IDN_REASON = 'not scored: IDN label (punycode), which the model does not judge';

/** What {@link classifyStream} needs from a model: `@dga/onnx-export`'s `OnnxClassifier` fits. */
export interface RowPredictor {
  predict(rows: Float32Array): Promise<Float32Array>;
}

/** Options of {@link classifyStream}. */
export interface ClassifyStreamOptions {
  featureSet: FeatureSetName;
  /** Public Suffix List rules of the labels, as the model was trained (`dga.psl_mode`). @default 'all' */
  psl?: PslMode;
  /** Number of outputs per row (2 for the softmax models). */
  outputSize: number;
  /** `malicious` is true when `probability >= threshold`. @default 0.5 */
  threshold?: number;
  /** Rows per model call. @default 4096 */
  batchSize?: number;
  /**
   * Longest time, in ms, a read input waits for its batch to fill: when input trickles in (`tail -f`),
   * the rows read so far are scored and yielded this long after the first of them arrived.
   * @default 1000
   */
  flushIntervalMs?: number;
  /** Runs `callback` after `delayMs` and returns a cancel function; tests pass a manual clock. @default setTimeout */
  schedule?: (callback: () => void, delayMs: number) => () => void;
  /**
   * Stops the stream, even while it waits for input: the rows already read are scored and yielded,
   * then the signal's reason is thrown.
   */
  signal?: AbortSignal;
}

const contractFeatures = ['length', 'entropy', 'vowel_proportion'] as const;

const defaultSchedule = (callback: () => void, delayMs: number): (() => void) => {
  const handle = setTimeout(callback, delayMs);
  return () => clearTimeout(handle);
};

function asyncIteratorOf<T>(inputs: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in inputs) return inputs[Symbol.asyncIterator]();
  const iterator = inputs[Symbol.iterator]();
  return { next: () => Promise.resolve(iterator.next()) };
}

/** What a wait for the next input ended with, besides the input itself. */
const wokenUp = Symbol('woken up');

/**
 * Classifies a stream of inputs (domains, URLs, hosts) in constant memory and yields the records
 * one batch at a time, in input order: a batch is one model call of up to `batchSize` rows (inputs
 * without a registrable label, and IDN labels, ride along unscored: `error` and null scores). A
 * batch is also yielded
 * early when input pauses for `flushIntervalMs`, and when `signal` aborts.
 *
 * @example
 * for await (const records of classifyBatches(lines, classifier, { featureSet: 'bigram', outputSize: 2 })) {
 *   process.stdout.write(records.map((record) => `${record.input} ${record.probability}\n`).join(''));
 * }
 */
export async function* classifyBatches(
  inputs: AsyncIterable<{ value: string }> | Iterable<{ value: string }>,
  model: RowPredictor,
  options: ClassifyStreamOptions,
): AsyncGenerator<ClassifyRecord[]> {
  const set = getFeatureSet(options.featureSet);
  const size = set.size;
  const threshold = options.threshold ?? 0.5;
  const batchSize = options.batchSize ?? 4096;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const schedule = options.schedule ?? defaultSchedule;
  const signal = options.signal;
  const positions = contractFeatures.map((name) => set.featureNames.indexOf(name));
  // Features are computed in float64 (what `dga features` prints) and converted once per batch
  // to the float32 rows the model takes.
  const buffer = new Float64Array(batchSize * size);
  const rowsBuffer = new Float32Array(batchSize * size);
  /** `row` is -1 for an input that is not scored, with the reason in `skip`. */
  const pending: { input: string; label: string | undefined; row: number; skip?: string }[] = [];
  let rows = 0;

  const flush = async (): Promise<ClassifyRecord[]> => {
    let outputs: Float32Array = new Float32Array(0);
    if (rows > 0) {
      rowsBuffer.set(buffer.subarray(0, rows * size));
      try {
        outputs = await model.predict(rowsBuffer.subarray(0, rows * size));
      } catch (error) {
        throw nameNonFiniteRow(error, (row) => `input ${JSON.stringify(pending.find((item) => item.row === row)?.input)}`);
      }
    }
    const records = pending.map((item): ClassifyRecord => {
      if (item.skip !== undefined) {
        return {
          input: item.input,
          label: item.label ?? null,
          length: null,
          entropy: null,
          vowel_proportion: null,
          probability: null,
          malicious: null,
          error: item.skip,
        };
      }
      const offset = item.row * size;
      const feature = (index: number) => (index === -1 ? null : buffer[offset + index]!);
      const probability = outputs[item.row * options.outputSize + 1]!;
      return {
        input: item.input,
        label: item.label ?? null,
        length: feature(positions[0]!),
        entropy: feature(positions[1]!),
        vowel_proportion: feature(positions[2]!),
        probability,
        malicious: probability >= threshold,
      };
    });
    pending.length = 0;
    rows = 0;
    return records;
  };

  // The wait for the next input also ends when the flush timer fires or the signal aborts: `wake`
  // resolves the current wait, so no promise collects a reaction per input.
  let wake: ((value: typeof wokenUp) => void) | undefined;
  let due = false;
  let cancelTimer: (() => void) | undefined;
  const stopTimer = () => {
    cancelTimer?.();
    cancelTimer = undefined;
    due = false;
  };
  const onAbort = () => wake?.(wokenUp);
  signal?.addEventListener('abort', onAbort);
  const source = asyncIteratorOf(inputs);
  let next: Promise<IteratorResult<{ value: string }>> | undefined;
  try {
    for (;;) {
      if (signal?.aborted === true) {
        if (pending.length > 0) yield await flush();
        throw signal.reason;
      }
      if (due) {
        stopTimer();
        if (pending.length > 0) yield await flush();
        continue;
      }
      next ??= source.next();
      const current = next;
      const result = await new Promise<IteratorResult<{ value: string }> | typeof wokenUp>((resolve, reject) => {
        wake = resolve;
        current.then(resolve, reject);
      });
      wake = undefined;
      if (result === wokenUp) continue;
      next = undefined;
      if (result.done === true) break;
      const value = result.value.value;
      const label = tryExtractLabel(value, { psl: options.psl ?? 'all' });
      if (label === undefined || label === '') {
        pending.push({ input: value, label: undefined, row: -1, skip: NO_LABEL_REASON });
      } else if (isIdnLabel(label)) {
        pending.push({ input: value, label, row: -1, skip: IDN_REASON });
      } else {
        set.compute(label, buffer, rows * size);
        pending.push({ input: value, label, row: rows });
        rows += 1;
      }
      if (rows === batchSize || pending.length >= batchSize * 2) {
        stopTimer();
        yield await flush();
      } else if (cancelTimer === undefined) {
        cancelTimer = schedule(() => {
          due = true;
          wake?.(wokenUp);
        }, flushIntervalMs);
      }
    }
    stopTimer();
    if (pending.length > 0) yield await flush();
  } finally {
    stopTimer();
    signal?.removeEventListener('abort', onAbort);
    // Close the input (files are closed by their reader's cleanup), unless a read is still under
    // way: an async generator finishes that read first, and stdin may never deliver it.
    if (next === undefined) await source.return?.();
  }
}

/**
 * Classifies a stream of inputs (domains, URLs, hosts) in constant memory: batches of
 * `batchSize` are featurized into one reused buffer, scored in one model call, and yielded in
 * input order. Inputs without a registrable label, and IDN labels, are yielded unscored, with
 * `error` and null scores.
 * {@link classifyBatches} yields the same records a batch at a time.
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
  for await (const records of classifyBatches(inputs, model, options)) yield* records;
}
