import * as tf from '@tensorflow/tfjs';
import { LengthEncoding } from '@dga/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';

function encoderOnly(lengthIndex: number, thresholds: number, width: number): tf.Sequential {
  const model = tf.sequential();
  model.add(new LengthEncoding({ lengthIndex, thresholds, inputShape: [width], name: 'length_encoding' }));
  return model;
}

describe('LengthEncoding', () => {
  beforeAll(useCpuBackend);

  it('becomes MatMul → Sub → Clip → Concat and computes the input, then [length ≥ k] for k = 2…thresholds + 1', async () => {
    // The length sits in column 1 here, to catch a converter that assumes column 0.
    const rows = [
      [0.5, 1, -2],
      [0.25, 3, 7],
      [0, 5, 0],
      [1, 6, 1],
      [2, 40, 3],
    ];
    const { bytes, opTypes, parity } = await exportToOnnx(encoderOnly(1, 5, 3));
    expect(opTypes).toEqual(['MatMul', 'Sub', 'Clip', 'Concat']);
    expect(parity.maxAbsDiff).toBe(0);
    const classifier = await createOnnxClassifier(bytes);
    const output = await classifier.predict(Float32Array.from(rows.flat()));
    await classifier.dispose();
    // Written out by hand: flags for k = 2, 3, 4, 5, 6.
    const expected = [
      [0.5, 1, -2, 0, 0, 0, 0, 0],
      [0.25, 3, 7, 1, 1, 0, 0, 0],
      [0, 5, 0, 1, 1, 1, 1, 0],
      [1, 6, 1, 1, 1, 1, 1, 1],
      [2, 40, 3, 1, 1, 1, 1, 1],
    ];
    expect(Array.from(output)).toEqual(expected.flat());
  });

  it('matches tfjs inside a model, fractional lengths included', async () => {
    const model = encoderOnly(0, 39, 4);
    model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
    const { opTypes, parity } = await exportToOnnx(model);
    expect(opTypes).toEqual(['MatMul', 'Sub', 'Clip', 'Concat', 'MatMul', 'Add', 'Softmax']);
    expect(parity.maxAbsDiff).toBeLessThanOrEqual(1e-6);
  });

  it('rejects a lengthIndex outside the input, naming the layer', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 2, inputShape: [3] }));
    model.add(new LengthEncoding({ lengthIndex: 1, thresholds: 3, name: 'flags' }));
    await expect(exportToOnnx(model)).resolves.toBeDefined();
    const wide = tf.sequential();
    wide.add(tf.layers.dense({ units: 2, inputShape: [3] }));
    wide.add(new LengthEncoding({ lengthIndex: 5, thresholds: 3, name: 'flags' }));
    await expect(exportToOnnx(wide)).rejects.toMatchObject({ code: 'ERR_ONNX_UNSUPPORTED_LAYER', layerName: 'flags' });
    await expect(exportToOnnx(wide)).rejects.toThrow('Layer "flags" (LengthEncoding) uses lengthIndex=5 on 2 inputs');
  });
});
