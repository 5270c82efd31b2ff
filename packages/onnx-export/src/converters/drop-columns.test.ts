import * as tf from '@tensorflow/tfjs';
import { DropColumns } from '@dga/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';

function dropOnly(offset: number, count: number, width: number): tf.Sequential {
  const model = tf.sequential();
  model.add(new DropColumns({ offset, count, inputShape: [width], name: 'keep' }));
  return model;
}

describe('DropColumns', () => {
  beforeAll(useCpuBackend);

  it('becomes Slice → Slice → Concat and keeps the columns around the dropped ones', async () => {
    const { bytes, opTypes, parity } = await exportToOnnx(dropOnly(1, 2, 5));
    expect(opTypes).toEqual(['Slice', 'Slice', 'Concat']);
    expect(parity.maxAbsDiff).toBe(0);
    const classifier = await createOnnxClassifier(bytes);
    const output = await classifier.predict(Float32Array.from([10, 11, 12, 13, 14, 20, 21, 22, 23, 24]));
    await classifier.dispose();
    expect(Array.from(output)).toEqual([10, 13, 14, 20, 23, 24]);
  });

  it('needs one Slice when the dropped columns touch an edge', async () => {
    const first = await exportToOnnx(dropOnly(0, 2, 5));
    expect(first.opTypes).toEqual(['Slice']);
    expect(first.outputSize).toBe(3);
    const last = await exportToOnnx(dropOnly(3, 2, 5));
    expect(last.opTypes).toEqual(['Slice']);
    expect(last.parity.maxAbsDiff).toBe(0);
  });

  it('rejects dropping every column or columns beyond the input, naming the layer', async () => {
    await expect(exportToOnnx(dropOnly(0, 5, 5))).rejects.toMatchObject({ code: 'ERR_ONNX_UNSUPPORTED_LAYER', layerName: 'keep' });
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 3, inputShape: [5] }));
    model.add(new DropColumns({ offset: 2, count: 2, name: 'wide' }));
    await expect(exportToOnnx(model)).rejects.toMatchObject({ code: 'ERR_ONNX_UNSUPPORTED_LAYER', layerName: 'wide' });
  });
});
