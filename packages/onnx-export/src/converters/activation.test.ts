import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { identityThen, maxAbsDiff, useCpuBackend } from '../../test/models';
import { createOnnxClassifier } from '../onnx-classifier';
import { exportToOnnx } from '../export-to-onnx';
import { OnnxExportError } from '../onnx-export-error';
import { supportedActivations } from './activation';

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), independent of tfjs and ONNX Runtime.
function erf(x: number): number {
  const sign = Math.sign(x);
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-x * x));
}
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** Element-wise reference formulas, written from the Keras/tfjs documentation. */
const references: Record<string, (x: number) => number> = {
  linear: (x) => x,
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(Math.max(0, x), 6),
  sigmoid,
  hardSigmoid: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
  tanh: Math.tanh,
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)),
  softplus,
  softsign: (x) => x / (1 + Math.abs(x)),
  swish: (x) => x * sigmoid(x),
  mish: (x) => x * Math.tanh(softplus(x)),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
};

function referenceSoftmax(rows: Float32Array, width: number): Float64Array {
  const out = new Float64Array(rows.length);
  for (let start = 0; start < rows.length; start += width) {
    const row = Array.from(rows.subarray(start, start + width));
    const max = Math.max(...row);
    const exps = row.map((value) => Math.exp(value - max));
    const sum = exps.reduce((total, value) => total + value, 0);
    exps.forEach((value, index) => (out[start + index] = value / sum));
  }
  return out;
}

const WIDTH = 4;
const rows = new Float32Array([-30, -3, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2.5, 3, 30, 0.25, -2, 6.5, 7]);

function reference(activation: string): ArrayLike<number> {
  if (activation === 'softmax') return referenceSoftmax(rows, WIDTH);
  const formula = references[activation];
  if (formula === undefined) throw new Error(`no reference for ${activation}`);
  return Array.from(rows, formula);
}

async function runOnnx(bytes: Uint8Array): Promise<Float32Array> {
  const classifier = await createOnnxClassifier(bytes);
  try {
    return await classifier.predict(rows);
  } finally {
    await classifier.dispose();
  }
}

describe('activations', () => {
  beforeAll(useCpuBackend);

  it('covers the common Dense activations', () => {
    for (const name of ['relu', 'sigmoid', 'tanh', 'softmax', 'linear', 'elu', 'selu', 'softplus']) {
      expect(supportedActivations).toContain(name);
    }
  });

  it.each(supportedActivations)('Dense(activation: %s) matches the reference formula in ONNX Runtime', async (activation) => {
    const model = tf.sequential();
    model.add(
      tf.layers.dense({
        units: WIDTH,
        inputShape: [WIDTH],
        useBias: false,
        kernelInitializer: 'identity',
        activation: activation as 'relu',
      }),
    );
    const { bytes, parity } = await exportToOnnx(model);
    expect(parity.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(await runOnnx(bytes), reference(activation))).toBeLessThan(2e-6 * 31);
  });

  it.each(supportedActivations)('an Activation(%s) layer matches the reference formula', async (activation) => {
    const model = identityThen(tf.layers.activation({ activation: activation as 'relu' }), WIDTH);
    const { bytes } = await exportToOnnx(model);
    expect(maxAbsDiff(await runOnnx(bytes), reference(activation))).toBeLessThan(2e-6 * 31);
  });

  it('softmax normalizes each row along the last axis', async () => {
    const model = identityThen(tf.layers.activation({ activation: 'softmax' }), WIDTH);
    const output = await runOnnx((await exportToOnnx(model)).bytes);
    for (let start = 0; start < output.length; start += WIDTH) {
      const sum = Array.from(output.subarray(start, start + WIDTH)).reduce((total, value) => total + value, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it('rejects an activation without a converter, naming the layer and the supported list', async () => {
    const model = identityThen(tf.layers.activation({ activation: 'logSoftmax' as 'relu' }), WIDTH);
    const error = await exportToOnnx(model).catch((caught: unknown) => caught);
    expect(OnnxExportError.isInstance(error)).toBe(true);
    const typed = error as OnnxExportError;
    expect(typed.code).toBe('ERR_ONNX_UNSUPPORTED_LAYER');
    expect(typed.layerClassName).toBe('Activation');
    expect(typed.layerName).toBe(model.layers[1]?.name);
    expect(typed.message).toContain('"logSoftmax"');
    expect(typed.message).toContain('relu, relu6');
  });
});
