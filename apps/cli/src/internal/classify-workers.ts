import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RenderedRecords } from './classify-output';
import { inputBatches, type InputBatchesOptions, type InputRead } from './classify-stream';
import { createInputChunker, type InputChunk } from './input-lines';
import { deserializeWorkerError, type ClassifyWorkerData, type FromClassifyWorker, type ToClassifyWorker } from './classify-worker-protocol';

/** Options of {@link classifyInParallel}. */
export interface ClassifyInParallelOptions extends InputBatchesOptions {
  /** Worker threads, each with its own ONNX Runtime session. */
  workers: number;
  /** What each worker scores with. */
  worker: ClassifyWorkerData;
  /** Chunks under way and not yet written, per scorer (each worker and this thread): bounds memory. @default 2 */
  chunksPerWorker?: number;
  /**
   * Bytes of plain input lines in a full chunk (inputs already read, such as a CSV column, make
   * a chunk of 4,096). @default DEFAULT_CHUNK_BYTES
   */
  chunkBytes?: number;
  /**
   * Scores a chunk on this thread, which is one more scorer beside the workers: it scores alone
   * until a worker is ready (short inputs never wait for one), then takes a chunk whenever it has
   * fewer under way than the least busy worker. Called for one chunk at a time.
   */
  scoreHere: (chunk: InputChunk) => Promise<RenderedRecords>;
  /**
   * Start the workers at once and send every chunk to them, never to `scoreHere` (tests use it
   * to see the workers' output). @default false
   */
  workersOnly?: boolean;
  /**
   * Workers already started ({@link spawnClassifyWorkers}): the pool takes them first, given the
   * model at once, and ends them with the others.
   */
  spawned?: readonly SpawnedClassifyWorker[] | undefined;
}

/** The most worker threads `dga classify` starts unless told: each holds about 35–50 MiB. */
export const MAX_DEFAULT_CLASSIFY_WORKERS = 4;

/**
 * Worker threads `dga classify` starts unless told (`--workers N`) beside the main thread, which
 * scores too: one per idle core beyond the first (at most {@link MAX_DEFAULT_CLASSIFY_WORKERS}),
 * judged from the 1-minute load average, and none unless at least two cores are idle. A worker
 * costs more CPU than the main thread's share of the work (its start, about 0.3–0.4 CPU seconds,
 * and the compiler and garbage collector threads of one more V8 heap), so there are only as many
 * as there are idle cores to run them. Measured with the built CLI on this project's 2-core
 * machine, 1M hosts to CSV, 5 alternating runs each (ADR 0017): the main thread with one worker
 * took 2.64–3.28 s (204–216 MiB peak RSS), where the earlier pipeline of two workers beside a
 * main thread that only read and wrote took 3.24–4.00 s (254–264 MiB), and the main thread with
 * two workers (three scorers on two cores) was slower still.
 * Short inputs never start workers: they start with the first full chunk ({@link DEFAULT_CHUNK_BYTES}).
 *
 * @example
 * defaultClassifyWorkers(availableParallelism(), loadavg()[0]); // 1 on an idle 2-core machine
 */
export function defaultClassifyWorkers(cores: number, loadAverage: number): number {
  const idle = Math.floor(cores - loadAverage + 0.5);
  return idle < 2 ? 0 : Math.min(idle - 1, MAX_DEFAULT_CLASSIFY_WORKERS);
}

/**
 * Bytes of plain input lines in a chunk: about 5,500 hosts of the training data. Measured with the
 * built CLI on this project's 2-core machine, 1M hosts to CSV with the main thread and one worker,
 * 4 alternating runs each: 128 KiB took 2.66–2.90 s, 64 KiB 2.77–3.22 s, 32 KiB 2.83–2.91 s, 256 KiB
 * 2.85–2.91 s and 1 MiB 3.13–3.15 s (a chunk's rows stay in the CPU's cache; peak RSS fell from
 * 218–233 MiB at 256 KiB to 209–215 MiB).
 */
export const DEFAULT_CHUNK_BYTES: number = 128 * 1024;

/**
 * The young generation of a worker's V8 heap, in MiB, which bounds its memory: measured over 1M
 * hosts with two workers (load average about 5), 16 MiB took 241–245 MiB of peak RSS and 5.9–7.3
 * CPU seconds (all threads), V8's default (up to 48 MiB) 255–271 MiB and 6.4–6.8, and 4 MiB
 * 219–230 MiB but 7.3–7.8 (more objects outlive its collections and reach the old generation,
 * whose collections run on V8's helper threads).
 */
const WORKER_YOUNG_GENERATION_MIB = 16;

/** Inputs already read (arguments, a CSV column) sent to a worker at a time. */
const CHUNK_INPUTS = 4096;

interface PendingChunk {
  resolve(rendered: RenderedRecords): void;
  reject(error: unknown): void;
}

interface PoolWorker {
  readonly thread: Worker;
  /** Resolves once the thread has ended. */
  readonly exited: Promise<void>;
  /** Set once its ONNX Runtime session is open. */
  ready: boolean;
  /** Chunks sent and not answered yet. */
  readonly pending: Map<number, PendingChunk>;
}

// From source (`pnpm dga`, tests) the worker is TypeScript: a one-line ES module bootstrap
// registers tsx in the worker (the main thread's loader hooks do not reach it) and imports it with
// the `@dga/source` condition. The build ships the worker as JavaScript (see the build script).
const fromSource = import.meta.url.endsWith('.ts');

function workerEntry(): { file: URL; execArgv: string[] } {
  // The build (`tsdown src/main.ts src/internal/classify-worker.ts`) puts this module in a chunk
  // beside main.mjs and the worker at internal/classify-worker.mjs.
  if (!fromSource) return { file: new URL('./internal/classify-worker.mjs', import.meta.url), execArgv: [] };
  const tsxApi =
    typeof import.meta.resolve === 'function'
      ? import.meta.resolve('tsx/esm/api')
      : pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL('./classify-worker.ts', import.meta.url).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(worker)});`;
  return { file: new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), execArgv: ['--conditions=@dga/source'] };
}

/**
 * A classify worker thread, started before it is given a model: it loads its modules meanwhile.
 * {@link classifyInParallel} gives it the model (or ends it unused).
 */
export interface SpawnedClassifyWorker {
  /** @internal */
  readonly worker: PoolWorker;
  /** @internal Sends the model; resolves once the worker's ONNX Runtime session is open. */
  init(data: ClassifyWorkerData): Promise<PoolWorker>;
}

function spawnWorker(): SpawnedClassifyWorker {
  const entry = workerEntry();
  const thread = new Worker(entry.file, { execArgv: entry.execArgv, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MIB } });
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  const worker: PoolWorker = { thread, exited, ready: false, pending: new Map() };
  const failAll = (error: unknown) => {
    for (const chunk of worker.pending.values()) chunk.reject(error);
    worker.pending.clear();
  };
  const started = new Promise<PoolWorker>((resolve, reject) => {
    thread.on('message', (message: FromClassifyWorker) => {
      if (message.type === 'ready') {
        worker.ready = true;
        resolve(worker);
        return;
      }
      if (message.type === 'failed' && message.id === -1) {
        reject(deserializeWorkerError(message.error));
        return;
      }
      const chunk = worker.pending.get(message.id);
      worker.pending.delete(message.id);
      if (message.type === 'scored') chunk?.resolve(message);
      else chunk?.reject(deserializeWorkerError(message.error));
    });
    thread.on('error', (error) => {
      reject(error);
      failAll(error);
    });
    thread.on('exit', (code) => {
      const error = new Error(`a classify worker thread stopped (exit code ${code})`);
      reject(error);
      failAll(error);
    });
  });
  // A worker ended unused rejects `started`: nobody waits for it then.
  started.catch(() => undefined);
  return {
    worker,
    init(data) {
      thread.postMessage({ type: 'init', data } satisfies ToClassifyWorker);
      return started;
    },
  };
}

/**
 * Starts `count` classify worker threads before the model is read, so they load their modules
 * while this thread loads its own and reads the model (about 0.3 s of a worker's start on this
 * project's machine). Hand them to {@link classifyInParallel} (`spawned`), which gives them the
 * model and ends them; end them with {@link stopClassifyWorkers} if it is never called.
 */
export function spawnClassifyWorkers(count: number): SpawnedClassifyWorker[] {
  return Array.from({ length: count }, spawnWorker);
}

/** Ends workers of {@link spawnClassifyWorkers} that {@link classifyInParallel} never took. */
export async function stopClassifyWorkers(spawned: readonly SpawnedClassifyWorker[]): Promise<void> {
  await Promise.all(spawned.map((handle) => stopWorker(handle.worker)));
}

/** How long a worker may take to finish its chunk and end before it is terminated. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * Ends a worker after the chunk under way (it drops the others: the run is over or stopped
 * early): `terminate()` while ONNX Runtime runs a session aborts the whole process. A worker
 * that does not end within {@link STOP_TIMEOUT_MS} is terminated.
 */
async function stopWorker(worker: PoolWorker): Promise<void> {
  worker.thread.postMessage({ type: 'close' } satisfies ToClassifyWorker);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS)));
  const ended = await Promise.race([worker.exited, timeout]);
  clearTimeout(timer);
  if (ended === 'timeout') await worker.thread.terminate();
}

/**
 * Classifies a stream of inputs on worker threads and on this one, and yields the rendered rows
 * chunk by chunk, in input order. This thread reads the input as bytes, cuts it into chunks of
 * whole lines (`chunkBytes`, or what arrived before a pause of `flushIntervalMs`, or before
 * `signal` aborted), scores its share of the chunks (`scoreHere`) and writes the rows; each
 * worker decodes and splits its chunks into inputs, extracts the labels, computes the features,
 * runs its ONNX Runtime session and renders the rows as UTF-8 bytes, which this thread writes as
 * they are. At most `(workers + 1) × chunksPerWorker` chunks are under way, so memory stays
 * constant whatever the input's size. On abort the chunks already read are yielded, then the
 * reason is thrown, as {@link classifyBatches} does.
 */
export async function* classifyInParallel(
  inputs: AsyncIterable<InputRead<Uint8Array | string>> | Iterable<InputRead<Uint8Array | string>>,
  options: ClassifyInParallelOptions,
): AsyncGenerator<RenderedRecords> {
  const maxInFlight = (options.workers + 1) * (options.chunksPerWorker ?? 2);
  // Workers start with the first full chunk (spawned ones at once): shorter inputs are scored
  // here without them.
  const spawned = options.spawned ?? [];
  const workers: PoolWorker[] = spawned.map((handle) => handle.worker);
  const starts: Promise<PoolWorker>[] = [];
  let startFailure: Error | undefined;
  const start = (handle: SpawnedClassifyWorker) => {
    const started = handle.init(options.worker);
    started.catch((error: unknown) => (startFailure ??= error instanceof Error ? error : new Error(String(error))));
    starts.push(started);
  };
  spawned.forEach(start);
  const startPool = () => {
    for (let index = workers.length; index < options.workers; index++) {
      const handle = spawnWorker();
      workers.push(handle.worker);
      start(handle);
    }
  };
  // Chunks scored on this thread, one after the other; `stopped` once the consumer is done (all
  // read, a failure, or it stopped early), after which nothing more is read or scored.
  let here: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let wakeReader: (() => void) | undefined;
  try {
    let nextId = 0;
    let hereQueued = 0;
    const dispatch = async (chunk: InputChunk, full: boolean): Promise<RenderedRecords> => {
      if (workers.length < options.workers && (options.workersOnly === true || full || workers.length > 0)) startPool();
      if (options.workersOnly === true && !workers.some((worker) => worker.ready)) await Promise.any(starts).catch(() => undefined);
      if (startFailure !== undefined) throw startFailure;
      // This thread is one more scorer: a chunk goes to the ready worker with the fewest chunks
      // under way, unless this thread has fewer still (it also reads and writes, so a tie goes
      // to the worker). While the workers start, this thread scores alone.
      let least: PoolWorker | undefined;
      for (const worker of workers) if (worker.ready && (least === undefined || worker.pending.size < least.pending.size)) least = worker;
      if (least === undefined || (options.workersOnly !== true && least.pending.size > hereQueued)) {
        hereQueued += 1;
        const result = here.then(() => options.scoreHere(chunk)).finally(() => (hereQueued -= 1));
        here = result.catch(() => undefined);
        return result;
      }
      const id = nextId++;
      const target = least;
      const result = new Promise<RenderedRecords>((resolve, reject) => target.pending.set(id, { resolve, reject }));
      // Bytes are moved to the worker, not copied (the chunker gave them a buffer of their own).
      target.thread.postMessage({ type: 'score', id, chunk } satisfies ToClassifyWorker, chunk instanceof Uint8Array ? [chunk.buffer as ArrayBuffer] : []);
      return result;
    };

    const chunker = createInputChunker({ chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES, chunkInputs: CHUNK_INPUTS });
    const queue: Promise<RenderedRecords>[] = [];
    let reading = true;
    let readError: Error | undefined;
    let wakeWriter: (() => void) | undefined;
    const wake = (which: 'writer' | 'reader') => {
      const callback = which === 'writer' ? wakeWriter : wakeReader;
      if (which === 'writer') wakeWriter = undefined;
      else wakeReader = undefined;
      callback?.();
    };
    const send = async (final: boolean) => {
      if (stopped) return;
      const taken = chunker.take(final);
      if (taken === undefined) return;
      const result = dispatch(taken.chunk, taken.full);
      // Awaited in order below; a failure is thrown there, not reported as unhandled here.
      result.catch(() => undefined);
      queue.push(result);
      wake('writer');
      while (queue.length >= maxInFlight && !stopped) await new Promise<void>((resolve) => (wakeReader = resolve));
    };
    const reader = async () => {
      try {
        const batches = inputBatches(inputs, chunker, options);
        while (!stopped && (await batches.next()).done !== true) await send(false);
        if (stopped) {
          // Closes the input (a file stays open otherwise).
          await batches.return(undefined);
          return;
        }
        // The last line, when the input does not end with a line break.
        await send(true);
      } catch (error) {
        readError = error instanceof Error ? error : new Error(String(error));
      } finally {
        reading = false;
        wake('writer');
      }
    };
    void reader();
    for (;;) {
      const head = queue[0];
      if (head !== undefined) {
        const rendered = await head;
        void queue.shift();
        wake('reader');
        yield rendered;
      } else if (reading) {
        await new Promise<void>((resolve) => (wakeWriter = resolve));
      } else {
        break;
      }
    }
    if (readError !== undefined) throw readError;
  } finally {
    stopped = true;
    wakeReader?.();
    // A chunk this thread is scoring finishes first: its ONNX Runtime session may be closed next.
    await here;
    await Promise.all(workers.map(stopWorker));
  }
}
