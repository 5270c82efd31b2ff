import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { getFeatureSet } from '@dga/features';
import { createModelMetadata, createOnnxClassifier, exportToOnnx, type OnnxClassifier } from '@dga/onnx-export';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifyBatchOptions } from './classify-batch';
import { createClassifyOutput, type RenderedRecords } from './classify-output';
import { classifyStream } from './classify-stream';
import { classifyInParallel } from './classify-workers';
import type { RowFormat } from './render';

// The worker pipeline must print what the single-thread path prints, byte for byte: the 2k
// sample and thousands of training hosts, upper-cased and as URLs, with inputs that have no label.

const unscorable = ['10.0.0.1', '-', 'localhost', 'http://[::1]/x', 'co.uk', 'a..b.com', '_x.com', 'xn--zz.com', 'Bücher.de', 'https://User@WWW.Example.CO.UK:8443/p?q', '0x7f.1'];
let model: Uint8Array;
let classifier: OnnxClassifier;
const batch: ClassifyBatchOptions = { featureSet: 'bigram', outputSize: 2, threshold: 0.5, batchSize: 1000 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  const network = tf.sequential();
  network.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [getFeatureSet('bigram').size], kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  network.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  ({ bytes: model } = await exportToOnnx(network, { metadata: createModelMetadata({ featureSet: 'bigram', seed: 3, preset: 'default', tfjsBackend: 'cpu' }) }));
  network.dispose();
  classifier = await createOnnxClassifier(model, { batchSize: 1000 });
}, 120_000);
afterAll(async () => {
  await classifier.dispose();
});

/** What the single-thread path prints: `classifyStream`'s records, rendered. */
async function singleThread(inputs: readonly string[], format: RowFormat): Promise<string> {
  const output = createClassifyOutput(format);
  let text = '';
  const records = [];
  for await (const record of classifyStream(inputs.map((value) => ({ value })), classifier, batch)) records.push(record);
  text += output.render(records).text;
  return text;
}

const textOf = (text: string | Uint8Array): string => (typeof text === 'string' ? text : new TextDecoder().decode(text));

async function onWorkers(inputs: readonly string[], format: RowFormat): Promise<{ text: string; chunks: RenderedRecords<string | Uint8Array>[] }> {
  const chunks: RenderedRecords<string | Uint8Array>[] = [];
  // Half the inputs one at a time, half as chunk reads, as the file reader delivers them.
  const reads = [...inputs.slice(0, 500).map((value) => ({ value })), inputs.slice(500).map((value) => ({ value }))];
  for await (const chunk of classifyInParallel(reads, {
    workers: 2,
    workersOnly: true,
    scoreHere: () => Promise.reject(new Error('workersOnly: nothing is scored on the main thread')),
    worker: { model, modelName: 'test model', batch, format, intraOpNumThreads: 1 },
  })) {
    chunks.push(chunk);
  }
  return { text: chunks.map((chunk) => textOf(chunk.text)).join(''), chunks };
}

describe.skipIf(requireSharedData('dga-training.csv') ?? requireSharedData('sample-small.csv'))('classifyInParallel', () => {
  const hostsOf = (file: 'dga-training.csv' | 'sample-small.csv', count: number) =>
    readFileSync(sharedDataFile(file), 'utf8').split('\n').slice(1, count + 1).map((line) => line.split(/[;,]/)[0]!).filter((host) => host !== '');
  let inputs: string[];
  beforeAll(() => {
    const training = hostsOf('dga-training.csv', 3000);
    inputs = [...hostsOf('sample-small.csv', 2000), ...training, ...training.slice(0, 500).map((host) => `https://WWW.${host.toUpperCase()}/x?y`), ...unscorable];
  });

  it.each(['csv', 'json', 'table'] as const)('prints the same %s bytes as the single-thread path, in input order', async (format) => {
    const expected = await singleThread(inputs, format);
    const { text, chunks } = await onWorkers(inputs, format);
    expect(text).toBe(expected);
    expect(chunks.reduce((sum, chunk) => sum + chunk.count, 0)).toBe(inputs.length);
    expect(chunks.reduce((sum, chunk) => sum + chunk.unlabelled, 0)).toBeGreaterThanOrEqual(unscorable.length - 3);
    expect(chunks.length).toBeGreaterThan(4);
  }, 120_000);

  it('leaves every chunk to the workers once a full chunk has started them', async () => {
    // The main thread reads and writes: scoring there too while the workers start would take a
    // core from them. Only a first chunk shorter than a batch is scored on the main thread.
    let scoredHere = 0;
    let text = '';
    for await (const chunk of classifyInParallel([inputs.map((value) => ({ value }))], {
      workers: 1,
      scoreHere: () => {
        scoredHere += 1;
        return Promise.reject(new Error('scored on the main thread'));
      },
      worker: { model, modelName: 'test model', batch, format: 'csv', intraOpNumThreads: 1 },
    })) {
      text += textOf(chunk.text);
    }
    expect(scoredHere).toBe(0);
    expect(text).toBe(await singleThread(inputs, 'csv'));
  }, 120_000);
});
