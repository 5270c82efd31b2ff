import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { getFeatureSet } from '@dga/features';
import { createModelMetadata, createOnnxClassifier, exportToOnnx, type OnnxClassifier } from '@dga/onnx-export';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifyBatchOptions } from './classify-batch';
import { ExitError } from '../exit-error';
import { createChunkScorer, type RenderedRecords } from './classify-output';
import { classifyStream } from './classify-stream';
import { classifyInParallel, defaultClassifyWorkers, spawnClassifyWorkers, stopClassifyWorkers } from './classify-workers';
import { createRowWriter, type RowFormat } from './render';

// The worker pipeline must print what the single-thread path prints, byte for byte: the 2k
// sample and thousands of training hosts, upper-cased and as URLs, with inputs that have no label.

const unscorable = ['10.0.0.1', '-', 'localhost', 'http://[::1]/x', 'co.uk', 'a..b.com', '_x.com', 'xn--zz.com', 'Bücher.de', 'https://User@WWW.Example.CO.UK:8443/p?q', '0x7f.1'];
let model: Uint8Array;
let nanModel: Uint8Array;
let classifier: OnnxClassifier;
const batch: ClassifyBatchOptions = { featureSet: 'bigram', outputSize: 2, threshold: 0.5, batchSize: 1000 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  const network = tf.sequential();
  network.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [getFeatureSet('bigram').size], kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  network.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  ({ bytes: model } = await exportToOnnx(network, { metadata: createModelMetadata({ featureSet: 'bigram', seed: 3, preset: 'default', tfjsBackend: 'cpu' }) }));
  network.dispose();
  const size = getFeatureSet('bigram').size;
  const overflow = tf.sequential();
  overflow.add(tf.layers.dense({ units: 2, activation: 'softmax', inputShape: [size], useBias: false }));
  const kernel = new Float32Array(size * 2);
  kernel[getFeatureSet('bigram').featureNames.indexOf('length') * 2] = 1e37;
  overflow.setWeights([tf.tensor2d(kernel, [size, 2])]);
  ({ bytes: nanModel } = await exportToOnnx(overflow, { metadata: createModelMetadata({ featureSet: 'bigram', seed: 3, preset: 'default', tfjsBackend: 'cpu' }) }));
  overflow.dispose();
  classifier = await createOnnxClassifier(model, { batchSize: 1000 });
}, 120_000);
afterAll(async () => {
  await classifier.dispose();
});

/** The rows of today's renderers: the generic row writer over `classifyStream`'s records. */
async function expectedRows(inputs: readonly string[], format: 'csv' | 'json'): Promise<string> {
  const columns = ['input', 'label', 'length', 'entropy', 'vowel_proportion', 'probability', 'malicious', 'error'] as const;
  const writer = createRowWriter(format, columns.map((key) => ({ key })));
  let text = '';
  for await (const record of classifyStream(inputs.map((value) => ({ value })), classifier, batch)) text += writer.row(record as unknown as Record<string, unknown>);
  return text;
}

/** The inputs of `bytes` as readline gives them (split at \r\n, \n or \r, trimmed, blanks skipped). */
const inputsOf = (bytes: Uint8Array): string[] =>
  Buffer.from(bytes)
    .toString('utf8')
    .split(/\r\n|\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

const textOf = (chunks: readonly RenderedRecords[]): string => Buffer.concat(chunks.map((chunk) => chunk.text)).toString('utf8');

/** `bytes` in reads of 1 to 97 bytes, so reads end inside lines and inside UTF-8 characters. */
function readsOf(bytes: Uint8Array): Uint8Array[] {
  const reads: Uint8Array[] = [];
  for (let start = 0, size = 1; start < bytes.length; start += size, size = (size * 7 + 3) % 97 + 1) reads.push(bytes.slice(start, start + size));
  return reads;
}

async function collect(chunks: AsyncIterable<RenderedRecords>): Promise<RenderedRecords[]> {
  const collected: RenderedRecords[] = [];
  for await (const chunk of chunks) collected.push(chunk);
  return collected;
}

/** Classifies `reads` on two workers (nothing on the main thread), in chunks of about `chunkBytes`. */
function onWorkers(reads: Iterable<Uint8Array | string[]>, format: RowFormat, chunkBytes: number, workerModel = model): AsyncGenerator<RenderedRecords> {
  return classifyInParallel(reads, {
    workers: 2,
    workersOnly: true,
    chunkBytes,
    scoreHere: () => Promise.reject(new Error('workersOnly: nothing is scored on the main thread')),
    worker: { model: workerModel, modelName: 'test model', batch, format, intraOpNumThreads: 1 },
  });
}

/** Classifies `reads` on the main thread alone (`--workers 0`). */
function onMainThread(reads: Iterable<Uint8Array | string[]>, format: RowFormat, chunkBytes: number): AsyncGenerator<RenderedRecords> {
  const score = createChunkScorer(classifier, batch, format);
  return classifyInParallel(reads, { workers: 0, chunkBytes, scoreHere: score, worker: { model, modelName: 'test model', batch, format, intraOpNumThreads: 1 } });
}

describe('classifyInParallel without a label', () => {
  it('gives the specific reason, the same on workers and on the main thread', async () => {
    const inputs = [`${'a'.repeat(64)}.com`, 'xn--zz.com', 'a..b.com', '10.0.0.1'];
    const bytes = Buffer.from(inputs.join('\n'));
    const errorsOf = (text: string) => text.trim().split('\n').map((line) => (JSON.parse(line) as { error?: string }).error);
    const expected = [
      'no registrable label: a label of the host is longer than 63 characters',
      'no registrable label: its label "xn--zz" is not a hostname label: it starts with "xn--" but is not valid punycode',
      'no registrable label: the host has an empty label (".." or a leading ".")',
      'no registrable label: it is an IPv4 address, which has no domain label',
    ];
    expect(errorsOf(textOf(await collect(onWorkers([bytes], 'json', 40))))).toEqual(expected);
    expect(errorsOf(textOf(await collect(onMainThread([bytes], 'json', 40))))).toEqual(expected);
  }, 60_000);
});

describe.skipIf(requireSharedData('dga-training.csv') ?? requireSharedData('sample-small.csv'))('classifyInParallel', () => {
  const hostsOf = (file: 'dga-training.csv' | 'sample-small.csv', count: number) =>
    readFileSync(sharedDataFile(file), 'utf8').split('\n').slice(1, count + 1).map((line) => line.split(/[;,]/)[0]!).filter((host) => host !== '');
  let inputs: string[];
  beforeAll(() => {
    const training = hostsOf('dga-training.csv', 3000);
    inputs = [...hostsOf('sample-small.csv', 2000), ...training, ...training.slice(0, 500).map((host) => `https://WWW.${host.toUpperCase()}/x?y`), ...unscorable];
  });

  it.each(['csv', 'json'] as const)('prints the same %s bytes on workers and on the main thread as today, whatever the line breaks and chunk cuts', async (format) => {
    // A byte order mark, \r\n, \r and \n, blank and padded lines, quotes, commas, IDNs, other
    // scripts, emoji, a lone surrogate (invalid UTF-8) and invalid bytes, in reads cut anywhere.
    const breaks = ['\n', '\r\n', '\r', '\n\n', '\r\n  \r\n'];
    const extra = ['"quoted".com', 'a,b.com', 'münchen.de', '日本.jp', 'emoji😀.com', 'back\\slash.com', ' padded.org\t', 'ctl\u0001.com'];
    const lines = [...inputs, ...extra].map((input, index) => input + breaks[index % breaks.length]);
    const bytes = Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(lines.join('')), Buffer.from([0xff, 0xfe, 0x2e, 0x63, 0x6f, 0x6d, 0x0a, 0xed, 0xa0, 0x80, 0x0a]), Buffer.from('last-without-break.com')]);
    const expected = await expectedRows(inputsOf(bytes), format);
    const workers = await collect(onWorkers(readsOf(bytes), format, 4000));
    expect(textOf(workers)).toBe(expected);
    expect(workers.length).toBeGreaterThan(10);
    expect(workers.reduce((sum, chunk) => sum + chunk.count, 0)).toBe(inputsOf(bytes).length);
    expect(workers.reduce((sum, chunk) => sum + chunk.unlabelled, 0)).toBeGreaterThanOrEqual(unscorable.length - 3);
    expect(workers.reduce((sum, chunk) => sum + chunk.idn, 0)).toBeGreaterThanOrEqual(3);
    expect(textOf(await collect(onMainThread(readsOf(bytes), format, 4000)))).toBe(expected);
  }, 120_000);

  it('prints the same table on workers as on the main thread, and inputs already read (a CSV column) as lines', async () => {
    const bytes = Buffer.from(inputs.join('\n'));
    const main = textOf(await collect(onMainThread([bytes], 'table', 64 * 1024)));
    expect(textOf(await collect(onWorkers(readsOf(bytes), 'table', 5000)))).toBe(main);
    const read = inputs.map((input) => [input]);
    expect(textOf(await collect(onWorkers(read, 'csv', 5000)))).toBe(await expectedRows(inputs, 'csv'));
  }, 120_000);

  it('stops at a chunk a worker fails on with its error; the chunks before it are whole', async () => {
    // A model whose output is NaN for labels of 35 characters or more (length × 1e37 overflows).
    const bad = `${'q'.repeat(40)}.com`;
    const good = inputs.filter((input) => !input.includes('://') && input.split('.')[0]!.length < 30).slice(0, 3000);
    const bytes = Buffer.from([...good, bad, ...good].join('\n'));
    const chunks: RenderedRecords[] = [];
    let failure: unknown;
    try {
      for await (const chunk of onWorkers(readsOf(bytes), 'csv', 4000, nanModel)) chunks.push(chunk);
    } catch (error) {
      failure = error;
    }
    expect(ExitError.isInstance(failure) && failure.exitCode).toBe(1);
    expect((failure as Error).message).toContain(JSON.stringify(bad));
    expect((failure as Error).message).toContain('non-finite');
    const printed = textOf(chunks);
    expect(chunks.length).toBeGreaterThan(2);
    expect(printed.endsWith('\n')).toBe(true);
    const rows = printed.split('\n').slice(0, -1);
    expect(rows.length).toBeLessThan(good.length + 1);
    expect(rows.map((row) => row.split(',')[0])).toEqual(good.slice(0, rows.length));
  }, 120_000);

  it('on a failure, has finished the chunk the main thread was scoring and scores no more', async () => {
    // Both scorers use the model whose output is NaN for labels of 35 characters or more.
    const nanClassifier = await createOnnxClassifier(nanModel, { batchSize: 1000 });
    const score = createChunkScorer(nanClassifier, batch, 'csv');
    let calls = 0;
    let inFlight = 0;
    const good = inputs.filter((input) => !input.includes('://') && input.split('.')[0]!.length < 30).slice(0, 3000);
    const bytes = Buffer.from([...good, ...good, `${'q'.repeat(40)}.com`, ...good, ...good].join('\n'));
    let failure: unknown;
    try {
      for await (const chunk of classifyInParallel(readsOf(bytes), {
        workers: 1,
        chunkBytes: 4000,
        // A slow main thread: it is most likely scoring a later chunk when the worker's failure
        // reaches the head of the queue.
        scoreHere: async (chunk) => {
          calls += 1;
          inFlight += 1;
          try {
            await new Promise((resolve) => setTimeout(resolve, 50));
            return await score(chunk);
          } finally {
            inFlight -= 1;
          }
        },
        worker: { model: nanModel, modelName: 'test model', batch, format: 'csv', intraOpNumThreads: 1 },
      })) {
        void chunk;
      }
    } catch (error) {
      failure = error;
    }
    expect((failure as Error).message).toContain('non-finite');
    expect(inFlight).toBe(0);
    const callsAtFailure = calls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(callsAtFailure);
    await nanClassifier.dispose();
  }, 120_000);

  it('takes workers started before the model was read, and ends started workers it never took', async () => {
    const unused = spawnClassifyWorkers(2);
    await stopClassifyWorkers(unused);
    // Both threads ended (a thread still running would keep this promise pending).
    await Promise.all(unused.map((handle) => handle.worker.exited));
    const spawned = spawnClassifyWorkers(2);
    const bytes = Buffer.from(inputs.join('\n'));
    const chunks = await collect(
      classifyInParallel(readsOf(bytes), {
        workers: 2,
        workersOnly: true,
        spawned,
        chunkBytes: 8000,
        scoreHere: () => Promise.reject(new Error('workersOnly: nothing is scored on the main thread')),
        worker: { model, modelName: 'test model', batch, format: 'csv', intraOpNumThreads: 1 },
      }),
    );
    expect(textOf(chunks)).toBe(await expectedRows(inputs, 'csv'));
    await Promise.all(spawned.map((handle) => handle.worker.exited));
  }, 120_000);

  it('shares the chunks between the main thread and a worker, with the same bytes as the main thread alone', async () => {
    // The first chunk goes to the main thread (no worker is ready yet); later ones go to whichever
    // scorer has fewer under way (how many the worker gets depends on how fast it starts).
    // However they are shared, the rows come out in input order.
    const score = createChunkScorer(classifier, batch, 'csv');
    let scoredHere = 0;
    const chunks: RenderedRecords[] = [];
    const bytes = Buffer.from(inputs.join('\n'));
    for await (const chunk of classifyInParallel(readsOf(bytes), {
      workers: 1,
      chunkBytes: 8000,
      scoreHere: (chunk) => {
        scoredHere += 1;
        return score(chunk);
      },
      worker: { model, modelName: 'test model', batch, format: 'csv', intraOpNumThreads: 1 },
    })) {
      chunks.push(chunk);
    }
    expect(scoredHere).toBeGreaterThanOrEqual(1);
    expect(textOf(chunks)).toBe(await expectedRows(inputs, 'csv'));
  }, 120_000);
});

describe('defaultClassifyWorkers', () => {
  it('is one worker per idle core beyond the main thread, at most 4, and none unless two cores are idle', () => {
    expect([1, 2, 3, 4, 16].map((cores) => defaultClassifyWorkers(cores, 0))).toEqual([0, 1, 2, 3, 4]);
    expect([0.4, 0.6, 1, 5].map((load) => defaultClassifyWorkers(2, load))).toEqual([1, 0, 0, 0]);
    expect([0.5, 2.6, 5.4, 7].map((load) => defaultClassifyWorkers(8, load))).toEqual([4, 4, 2, 0]);
  });
});
