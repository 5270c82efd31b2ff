// End to end with a real ONNX file from @dga/onnx-export: register, find, download, same bytes.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportToOnnx } from '@dga/onnx-export';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMlmmClient } from '../src/mlmm-client';
import { startFakeMlmmServer } from '../src/fake-mlmm-server';
import type { FakeMlmmServer } from '../src/fake-mlmm-types';

const TOKEN = 'e2e-token';
let server: FakeMlmmServer;
let folder: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  server = await startFakeMlmmServer({ tokens: [TOKEN] });
  folder = await mkdtemp(join(tmpdir(), 'mlmm-e2e-'));
});
afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

describe('a real ONNX model through the Model Manager protocol', () => {
  it('registers, finds, downloads, and the downloaded bytes equal the exported bytes', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 4, activation: 'relu', inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
    const { bytes } = await exportToOnnx(model, { metadata: { 'dga.feature_set': 'tutorial' } });
    model.dispose();
    expect(bytes.length).toBeGreaterThan(100);
    const path = join(folder, 'dga_classifier_onnx.onnx');
    await writeFile(path, bytes);

    const client = createMlmmClient({ url: server.url, token: TOKEN });
    const added = await client.addModel('dga_classifier_onnx', 'ONNX', path, { description: 'DGA domain classifier (Keras-ONNX)' });
    expect(added.action).toBe('created');
    expect(added.review).toMatchObject({ valid: true, size: bytes.length, fileName: 'dga_classifier_onnx.onnx' });

    const found = await client.findModel('dga_classifier_onnx');
    expect(found).toMatchObject({ name: 'dga_classifier_onnx', engine: 'ONNX', description: 'DGA domain classifier (Keras-ONNX)' });
    expect((await client.listModels()).map((item) => item.name)).toEqual(['dga_classifier_onnx']);

    const downloads = join(folder, 'downloads');
    const downloaded = await client.downloadModel('dga_classifier_onnx', { directory: downloads });
    expect(downloaded.file).toBe(join(downloads, 'dga_classifier_onnx.onnx'));
    expect(new Uint8Array(await readFile(downloaded.file))).toEqual(bytes);
    expect(server.modelFile('dga_classifier_onnx')).toEqual({ engine: 'ONNX', bytes });
    expect(server.requests.every((request) => request.violations.length === 0)).toBe(true);
  });
});
