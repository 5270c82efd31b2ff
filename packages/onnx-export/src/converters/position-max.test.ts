import * as tf from '@tensorflow/tfjs';
import { CharacterWindows, PositionMax } from '@dga/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';

describe('PositionMax', () => {
  beforeAll(useCpuBackend);

  it('becomes ReduceMax over the positions and gives each feature its largest value', async () => {
    // Codes 1…3 with window 1 and alphabet 3 make the positions one-hot; a Dense with an identity-
    // like kernel and a bias gives every position distinct values, so the maximum is checkable.
    const input = tf.input({ shape: [3] });
    const windows = new CharacterWindows({ offset: 0, positions: 3, alphabetSize: 3, window: 1 }).apply(input);
    const dense = tf.layers.dense({ units: 2, name: 'score' });
    const pooled = new PositionMax({ name: 'best' }).apply(dense.apply(windows)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: pooled });
    // Character k scores (k, −k) + bias (0.5, 0.5).
    dense.setWeights([tf.tensor2d([[1, -1], [2, -2], [3, -3]]), tf.tensor1d([0.5, 0.5])]);
    const { bytes, opTypes, parity } = await exportToOnnx(model);
    expect(opTypes.at(-1)).toBe('ReduceMax');
    expect(parity.maxAbsDiff).toBe(0);
    const classifier = await createOnnxClassifier(bytes);
    const output = await classifier.predict(Float32Array.from([1, 3, 2, 2, 2, 0]));
    await classifier.dispose();
    // Row 0: positions score 1.5/−0.5, 3.5/−2.5, 2.5/−1.5. Row 1: 2.5/−1.5 twice, then 0.5/0.5 (no character).
    expect(Array.from(output)).toEqual([3.5, -0.5, 2.5, 0.5]);
  });

});
