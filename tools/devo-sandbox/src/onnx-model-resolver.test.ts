import { afterEach, describe, expect, it } from 'vitest';
import { tinyOnnxModel } from '../test/tiny-onnx-model';
import { createOnnxModelResolver, type ModelFile, type OnnxModelResolver } from './onnx-model-resolver';

describe('createOnnxModelResolver', () => {
  const files = new Map<string, ModelFile>();
  let resolver: OnnxModelResolver | undefined;
  afterEach(async () => {
    files.clear();
    await resolver?.dispose();
  });

  it('loads an ONNX model, reports its sizes and scores a batch like tfjs', async () => {
    const { bytes, model } = await tinyOnnxModel(3);
    files.set('m', { engine: 'ONNX', bytes });
    resolver = createOnnxModelResolver({ getModelFile: (name) => files.get(name) });
    const loaded = await resolver.resolve('self', 'm');
    expect(loaded).toMatchObject({ name: 'm', inputSize: 3, outputSize: 2 });
    const rows = Float32Array.from([1, 2, 3, -1, 0.5, 4]);
    const output = await loaded?.run(rows, 2);
    const { tensor2d } = await import('@tensorflow/tfjs');
    const expected = (model.predict(tensor2d(rows, [2, 3])) as { dataSync(): Float32Array }).dataSync();
    expect(Array.from(output ?? [])).toEqual(Array.from(expected).map((value) => expect.closeTo(value, 6) as unknown as number));
    expect((output?.[0] ?? 0) + (output?.[1] ?? 0)).toBeCloseTo(1, 6);
  });

  it('answers undefined for an absent model or another domain, and accepts its own domain name', async () => {
    const { bytes } = await tinyOnnxModel(2);
    files.set('m', { engine: 'ONNX', bytes });
    resolver = createOnnxModelResolver({ getModelFile: (name) => files.get(name) }, { domain: 'acme' });
    expect(await resolver.resolve('self', 'absent')).toBeUndefined();
    expect(await resolver.resolve('other', 'm')).toBeUndefined();
    expect((await resolver.resolve('acme', 'm'))?.inputSize).toBe(2);
  });

  it('reuses the session until the bytes change (a forced re-upload)', async () => {
    files.set('m', { engine: 'ONNX', bytes: (await tinyOnnxModel(2)).bytes });
    resolver = createOnnxModelResolver({ getModelFile: (name) => files.get(name) });
    const first = await resolver.resolve('self', 'm');
    expect(await resolver.resolve('self', 'm')).toBe(first);
    files.set('m', { engine: 'ONNX', bytes: (await tinyOnnxModel(4)).bytes });
    const second = await resolver.resolve('self', 'm');
    expect(second).not.toBe(first);
    expect(second?.inputSize).toBe(4);
  });

  it('rejects other engines and files ONNX Runtime cannot load, naming the problem', async () => {
    files.set('h2o', { engine: 'H2O', bytes: Uint8Array.from([1, 2, 3]) });
    files.set('broken', { engine: 'ONNX', bytes: Uint8Array.from([1, 2, 3]) });
    resolver = createOnnxModelResolver({ getModelFile: (name) => files.get(name) });
    await expect(resolver.resolve('self', 'h2o')).rejects.toThrow('its engine is H2O; the sandbox runs only ONNX models');
    await expect(resolver.resolve('self', 'broken')).rejects.toThrow(/ONNX Runtime cannot load it .*re-export the model/);
  });
});
