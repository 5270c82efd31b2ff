import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictTfjs, tutorialRows, tutorialShapedModel, useCpuBackend, maxAbsDiff } from '../test/models';
import { exportToOnnx } from './export-to-onnx';
import { createOnnxClassifier } from './onnx-classifier';
import { OnnxExportError } from './onnx-export-error';
import { writeOnnxFile } from './write-onnx-file';

let bytes: Uint8Array;
let expected: Float32Array;
const rows = tutorialRows(1000, 11);
let folder: string;

beforeAll(async () => {
  await useCpuBackend();
  const model = tutorialShapedModel(5);
  bytes = (await exportToOnnx(model, { metadata: { 'dga.feature_set': 'tutorial' } })).bytes;
  expected = predictTfjs(model, rows, 3);
  folder = await mkdtemp(join(tmpdir(), 'onnx-classifier-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<OnnxExportError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!OnnxExportError.isInstance(error)) throw new Error(`expected an OnnxExportError, got ${String(error)}`);
  return error;
}

describe('createOnnxClassifier', () => {
  it('classifies rows like tfjs, from bytes or from a file', async () => {
    const file = join(folder, 'model.onnx');
    await writeOnnxFile(file, bytes);
    for (const source of [bytes, file]) {
      const classifier = await createOnnxClassifier(source, { intraOpNumThreads: 1 });
      expect(classifier.info.inputSize).toBe(3);
      expect(classifier.info.outputSize).toBe(2);
      expect(maxAbsDiff(await classifier.predict(rows), expected)).toBeLessThanOrEqual(1e-5);
      await classifier.dispose();
    }
  });

  it('gives the same result whatever the batch size, and reuses its session across calls', async () => {
    const whole = await createOnnxClassifier(bytes, { batchSize: 100_000 });
    const small = await createOnnxClassifier(bytes, { batchSize: 7 });
    const reference = await whole.predict(rows);
    expect(Array.from(await small.predict(rows))).toEqual(Array.from(reference));
    expect(Array.from(await small.predict(rows.subarray(0, 30)))).toEqual(Array.from(reference.subarray(0, 20)));
    expect(await small.predict(new Float32Array())).toHaveLength(0);
    await whole.dispose();
    await small.dispose();
  });

  it('serves concurrent predict calls on one session', async () => {
    const classifier = await createOnnxClassifier(bytes, { batchSize: 64 });
    const [first, second] = await Promise.all([classifier.predict(rows), classifier.predict(rows.subarray(300, 900))]);
    expect(maxAbsDiff(first, expected)).toBeLessThanOrEqual(1e-5);
    expect(Array.from(second)).toEqual(Array.from(first.subarray(200, 600)));
    await classifier[Symbol.asyncDispose]();
    expect((await rejection(classifier.predict(rows))).code).toBe('ERR_ONNX_DISPOSED');
  });

  it('rejects rows that are not whole rows of the feature count, naming the feature set', async () => {
    const classifier = await createOnnxClassifier(bytes);
    const error = await rejection(classifier.predict(new Float32Array(42 * 2 + 1)));
    expect(error.code).toBe('ERR_ONNX_SHAPE_MISMATCH');
    expect(error.message).toContain('[N, 3]');
    expect(error.message).toContain('"tutorial"');
    await classifier.dispose();
  });

  it('refuses to predict after dispose, and dispose twice is fine', async () => {
    const classifier = await createOnnxClassifier(bytes);
    await classifier.dispose();
    await classifier.dispose();
    expect((await rejection(classifier.predict(rows))).code).toBe('ERR_ONNX_DISPOSED');
  });

  it('reports a missing file, bad bytes and bad options with typed errors', async () => {
    expect((await rejection(createOnnxClassifier(join(folder, 'absent.onnx')))).code).toBe('ERR_ONNX_IO');
    expect((await rejection(createOnnxClassifier(new Uint8Array([1, 2, 3])))).code).toBe('ERR_ONNX_INVALID_MODEL');
    expect((await rejection(createOnnxClassifier(bytes, { batchSize: 0 }))).code).toBe('ERR_ONNX_INVALID_OPTION');
    expect((await rejection(createOnnxClassifier(bytes, { intraOpNumThreads: 1.5 }))).code).toBe('ERR_ONNX_INVALID_OPTION');
  });
});
