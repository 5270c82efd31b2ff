import { createClassifyBatch, type ClassifyBatchOptions, type ClassifyRecord, type RowPredictor } from './classify-batch';

export type { ClassifyRecord, RowPredictor } from './classify-batch';
export { IDN_REASON, NO_LABEL_REASON } from './classify-host';

/** When input batches are cut: besides a full batch, after a pause in the input and on abort. */
export interface InputBatchesOptions {
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

/** Options of {@link classifyStream} and {@link classifyBatches}. */
export interface ClassifyStreamOptions extends ClassifyBatchOptions, InputBatchesOptions {}

/** What {@link inputBatches} reads at a time: one item, or the items of one chunk read. */
export type InputRead<Item = { value: string }> = Item | readonly Item[];

function isItemArray<Item>(read: InputRead<Item>): read is readonly Item[] {
  return Array.isArray(read);
}

/** Where {@link inputBatches} puts the items it reads. */
export interface InputCollector<Item> {
  /** Takes one item; true when the batch is full. */
  add(item: Item): boolean;
  /** How much was taken since the batch was last emptied (0: nothing). */
  readonly size: number;
}

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
 * Reads `inputs` (items, or arrays of them) into `collector` and yields each time its batch is due: when `add` says it is
 * full, when input pauses for `flushIntervalMs` with inputs collected, at the end of the input
 * with inputs collected, and when `signal` aborts (then the reason is thrown on the next pull).
 * The caller empties the collector before pulling again. Used by the single-thread path
 * ({@link classifyBatches}) and the worker pipeline alike.
 */
export async function* inputBatches<Item>(
  inputs: AsyncIterable<InputRead<Item>> | Iterable<InputRead<Item>>,
  collector: InputCollector<Item>,
  options: InputBatchesOptions = {},
): AsyncGenerator<void> {
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const schedule = options.schedule ?? defaultSchedule;
  const signal = options.signal;
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
  let next: Promise<IteratorResult<InputRead<Item>>> | undefined;
  try {
    for (;;) {
      if (signal?.aborted === true) {
        if (collector.size > 0) yield;
        throw signal.reason;
      }
      if (due) {
        stopTimer();
        if (collector.size > 0) yield;
        continue;
      }
      next ??= source.next();
      const current = next;
      const result = await new Promise<IteratorResult<InputRead<Item>> | typeof wokenUp>((resolve, reject) => {
        wake = resolve;
        current.then(resolve, reject);
      });
      wake = undefined;
      if (result === wokenUp) continue;
      next = undefined;
      if (result.done === true) break;
      const read = result.value;
      for (const item of isItemArray(read) ? read : [read]) {
        if (collector.add(item)) {
          stopTimer();
          yield;
        }
      }
      if (collector.size > 0 && cancelTimer === undefined) {
        cancelTimer = schedule(() => {
          due = true;
          wake?.(wokenUp);
        }, flushIntervalMs);
      }
    }
    stopTimer();
    if (collector.size > 0) yield;
  } finally {
    stopTimer();
    signal?.removeEventListener('abort', onAbort);
    // Close the input (files are closed by their reader's cleanup), unless a read is still under
    // way: an async generator finishes that read first, and stdin may never deliver it.
    if (next === undefined) await source.return?.();
  }
}

/**
 * Classifies a stream of inputs (domains, URLs, hosts) in constant memory and yields the records
 * one batch at a time, in input order: a batch is one model call of up to `batchSize` rows (inputs
 * without a registrable label ride along with `error` and null scores). A batch is also yielded
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
  const batch = createClassifyBatch(options);
  const collector: InputCollector<{ value: string }> = {
    add: (item) => batch.add(item.value),
    get size() {
      return batch.size;
    },
  };
  const batches = inputBatches(inputs, collector, options);
  while ((await batches.next()).done !== true) yield await batch.score(model);
}

/**
 * Classifies a stream of inputs (domains, URLs, hosts) in constant memory: batches of
 * `batchSize` are featurized into one reused buffer, scored in one model call, and yielded in
 * input order. Inputs without a registrable label are yielded with `error` and null scores.
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
