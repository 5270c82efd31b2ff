import * as tf from '@tensorflow/tfjs';
import { CharacterWindows, PositionMax } from '@dga/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';

/** CharacterWindows → PositionMax: for each window offset and character, whether any window has it there. */
function presenceModel(args: { offset: number; positions: number; alphabetSize: number; window: number }, width: number): tf.LayersModel {
  const input = tf.input({ shape: [width] });
  const windows = new CharacterWindows({ ...args, name: 'windows' }).apply(input);
  return tf.model({ inputs: input, outputs: new PositionMax({ name: 'presence' }).apply(windows) as tf.SymbolicTensor });
}

describe('CharacterWindows', () => {
  beforeAll(useCpuBackend);

  it('becomes Gather → Unsqueeze → Sub → Abs → Sub → Relu → Reshape and one-hot encodes each window', async () => {
    // Codes in columns 1…4 (column 0 and 5 are other features); window 2 over an alphabet of 3.
    const model = presenceModel({ offset: 1, positions: 4, alphabetSize: 3, window: 2 }, 6);
    const { bytes, opTypes, parity } = await exportToOnnx(model);
    expect(opTypes).toEqual(['Gather', 'Unsqueeze', 'Sub', 'Abs', 'Sub', 'Relu', 'Reshape', 'ReduceMax']);
    expect(parity.maxAbsDiff).toBe(0);
    const classifier = await createOnnxClassifier(bytes);
    const rows = [
      [9, 1, 2, 3, 0, 9],
      [9, 3, 3, 0, 0, 9],
      [9, 0, 0, 0, 0, 9],
    ];
    const output = await classifier.predict(Float32Array.from(rows.flat()));
    await classifier.dispose();
    // Windows of row 0: (1,2), (2,3), (3,0): first characters {1,2,3}, second characters {2,3}.
    // Row 1: (3,3), (3,0), (0,0): first {3}, second {3}. Row 2: nothing (code 0 is no character).
    const expected = [
      [1, 1, 1, 0, 1, 1],
      [0, 0, 1, 0, 0, 1],
      [0, 0, 0, 0, 0, 0],
    ];
    expect(Array.from(output)).toEqual(expected.flat());
  });

  it('matches tfjs inside a Dense network over positions (the char preset\'s branch)', async () => {
    const input = tf.input({ shape: [30] });
    const windows = new CharacterWindows({ offset: 6, positions: 24, alphabetSize: 37, window: 3 }).apply(input);
    const dense = tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }), biasInitializer: tf.initializers.randomNormal({ seed: 6 }) }).apply(windows);
    const pooled = new PositionMax().apply(dense);
    const output = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }).apply(pooled) as tf.SymbolicTensor;
    // Whole codes 0…37 as the features give them, plus the exporter's own random rows.
    const codes = Float32Array.from({ length: 40 * 30 }, (_, index) => (index % 30 < 6 ? (index % 7) / 7 : (index * 7919) % 38));
    const { opTypes, parity } = await exportToOnnx(tf.model({ inputs: input, outputs: output }), { parityInputs: codes });
    expect(opTypes.slice(7)).toEqual(['MatMul', 'Add', 'Relu', 'ReduceMax', 'MatMul', 'Add', 'Softmax']);
    expect(parity.maxAbsDiff).toBeLessThanOrEqual(1e-6);
  });

  it('rejects codes beyond the input, naming the layer', async () => {
    const model = presenceModel({ offset: 4, positions: 4, alphabetSize: 3, window: 2 }, 8);
    await expect(exportToOnnx(model)).resolves.toBeDefined();
    const input = tf.input({ shape: [6] });
    const narrow = tf.layers.dense({ units: 5 }).apply(input);
    const windows = new CharacterWindows({ offset: 4, positions: 4, alphabetSize: 3, window: 2, name: 'chars' }).apply(narrow);
    const broken = tf.model({ inputs: input, outputs: new PositionMax().apply(windows) as tf.SymbolicTensor });
    await expect(exportToOnnx(broken)).rejects.toMatchObject({ code: 'ERR_ONNX_UNSUPPORTED_LAYER', layerName: 'chars' });
  });
});
