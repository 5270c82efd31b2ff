import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { identityThen, maxAbsDiff, useCpuBackend } from '../../test/models';
import { exportToOnnx } from '../export-to-onnx';
import { createOnnxClassifier } from '../onnx-classifier';
import { OnnxParityError } from '../onnx-export-error';
import { TFJS_BATCH_NORMALIZATION_EPSILON } from './batch-normalization';

// Hand-picked statistics. The small variances make epsilon matter: with variance 1e-4,
// 1/sqrt(1e-4 + 1e-3) = 30.15 while 1/sqrt(1e-4 + 1e-5) = 95.35.
const gamma = [1.5, 0.5, 2];
const beta = [0.1, -0.2, 0.3];
const movingMean = [0.5, -1, 2];
const movingVariance = [1e-4, 4, 0.25];
const rows = new Float32Array([0, 0, 0, 1, 2, 3, -1, 0.5, 2.5]);

function expected(epsilon: number, options: { center?: boolean; scale?: boolean } = {}): number[] {
  return Array.from(rows, (x, index) => {
    const column = index % 3;
    const g = options.scale === false ? 1 : (gamma[column] ?? 0);
    const b = options.center === false ? 0 : (beta[column] ?? 0);
    return ((x - (movingMean[column] ?? 0)) / Math.sqrt((movingVariance[column] ?? 0) + epsilon)) * g + b;
  });
}

async function exportBatchNormalization(
  config: { epsilon?: number; center?: boolean; scale?: boolean } = {},
): Promise<{ output: Float32Array; opTypes: string[]; maxScaledDiff: number }> {
  const layer = tf.layers.batchNormalization(config);
  const model = identityThen(layer, 3);
  const weights = [
    ...(config.scale === false ? [] : [gamma]),
    ...(config.center === false ? [] : [beta]),
    movingMean,
    movingVariance,
  ];
  layer.setWeights(weights.map((values) => tf.tensor1d(values)));
  const { bytes, opTypes, parity } = await exportToOnnx(model);
  const classifier = await createOnnxClassifier(bytes);
  try {
    return { output: await classifier.predict(rows), opTypes, maxScaledDiff: parity.maxScaledDiff };
  } finally {
    await classifier.dispose();
  }
}

describe('BatchNormalization', () => {
  beforeAll(useCpuBackend);

  it('is folded into one Mul and one Add', async () => {
    const { opTypes } = await exportBatchNormalization();
    expect(opTypes).toEqual(['MatMul', 'Mul', 'Add']);
  });

  it("uses the layer's epsilon (tfjs 1e-3), not ONNX's default 1e-5", async () => {
    expect(TFJS_BATCH_NORMALIZATION_EPSILON).toBe(1e-3);
    const { output, maxScaledDiff: parity } = await exportBatchNormalization();
    expect(maxAbsDiff(output, expected(1e-3))).toBeLessThan(1e-5);
    // The same statistics with ONNX's default epsilon would be off by far more than the tolerance.
    expect(maxAbsDiff(expected(1e-5), expected(1e-3))).toBeGreaterThan(10);
    expect(maxAbsDiff(output, expected(1e-5))).toBeGreaterThan(10);
    expect(parity).toBeLessThanOrEqual(1e-5);
  });

  it('honours a custom epsilon', async () => {
    const { output } = await exportBatchNormalization({ epsilon: 0.01 });
    expect(maxAbsDiff(output, expected(0.01))).toBeLessThan(1e-5);
  });

  it('handles center: false and scale: false', async () => {
    const { output } = await exportBatchNormalization({ center: false, scale: false });
    expect(maxAbsDiff(output, expected(1e-3, { center: false, scale: false }))).toBeLessThan(1e-5);
  });


  it('the built-in parity check catches a converter that used the wrong epsilon', async () => {
    const layer = tf.layers.batchNormalization();
    const model = identityThen(layer, 3);
    layer.setWeights([gamma, beta, movingMean, movingVariance].map((values) => tf.tensor1d(values)));
    // Fault injection: the converter sees ONNX's default epsilon while tfjs predicts with 1e-3.
    const config = layer.getConfig();
    vi.spyOn(layer, 'getConfig').mockReturnValue({ ...config, epsilon: 1e-5 });
    const error = await exportToOnnx(model).catch((caught: unknown) => caught);
    expect(OnnxParityError.isInstance(error)).toBe(true);
    const parity = (error as OnnxParityError).parity;
    expect((error as OnnxParityError).code).toBe('ERR_ONNX_PARITY');
    expect(parity.maxScaledDiff).toBeGreaterThan(1e-5);
    expect(parity.column).toBe(0); // the column with the tiny variance
  });
});
