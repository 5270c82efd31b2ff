import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trainModel, type TrainingExample } from '../train-model';
import { useTransposeFreeWasmMatMul } from './wasm-matmul';

/** The BatchMatMul calls that reach the wasm backend's own kernel: operand shapes and transposes. */
const reached: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [];
let wasmKernel: tf.KernelConfig;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  // Record what reaches the backend's kernel; the code under test wraps whatever is registered.
  wasmKernel = tf.getKernel(tf.BatchMatMul, 'wasm')!;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({
    ...wasmKernel,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as Record<'a' | 'b', tf.TensorInfo>;
      reached.push({ a: a.shape, b: b.shape, transposeA: args.attrs?.['transposeA'] === true, transposeB: args.attrs?.['transposeB'] === true });
      return wasmKernel.kernelFunc(args);
    },
  });
});

afterEach(() => {
  reached.length = 0;
});

/** Row-major product of `a` (rows × inner) and `b` (inner × columns) in float64. */
function multiply(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, column) => row.reduce((sum, value, index) => sum + value * b[index]![column]!, 0)));
}

function matrix(rows: number, columns: number, seed: number): number[][] {
  return Array.from({ length: rows }, (_, row) => Array.from({ length: columns }, (_, column) => (((row * 31 + column * 17 + seed) % 23) - 11) / 7));
}

const transposed = (values: number[][]): number[][] => values[0]!.map((_, column) => values.map((row) => row[column]!));

function expectClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, index) => row.forEach((value, column) => expect(value).toBeCloseTo(expected[index]![column]!, 4)));
}

describe('useTransposeFreeWasmMatMul', () => {
  it('computes transposed products exactly as the math says, without sending a transpose to the wasm kernel', () => {
    // 37 × 19 and 37 × 5: sizes that do not divide the transpose's blocks.
    const x = matrix(37, 19, 1);
    const dy = matrix(37, 5, 2);
    const weights = matrix(19, 5, 3);
    const release = useTransposeFreeWasmMatMul();
    try {
      const gradient = tf.matMul(tf.tensor2d(x), tf.tensor2d(dy), true, false);
      const input = tf.matMul(tf.tensor2d(dy), tf.tensor2d(weights), false, true);
      const both = tf.matMul(tf.tensor2d(transposed(x)), tf.tensor2d(transposed(weights)), true, true);
      expectClose(gradient.arraySync() as number[][], multiply(transposed(x), dy));
      expectClose(input.arraySync() as number[][], multiply(dy, transposed(weights)));
      expectClose(both.arraySync() as number[][], multiply(x, weights));
      tf.dispose([gradient, input, both]);
    } finally {
      release();
    }
    expect(reached).toHaveLength(3);
    expect(reached.every((call) => !call.transposeA && !call.transposeB)).toBe(true);
    expect(reached[0]).toMatchObject({ a: [19, 37], b: [37, 5] });
  });

  it('frees its transposed copies and puts the original kernel back when the last install is released', () => {
    const registered = tf.getKernel(tf.BatchMatMul, 'wasm');
    const outer = useTransposeFreeWasmMatMul();
    const inner = useTransposeFreeWasmMatMul();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).not.toBe(registered);
    const before = tf.backend().numDataIds();
    tf.tidy(() => tf.matMul(tf.ones([64, 32]), tf.ones([64, 8]), true, false).dataSync());
    expect(tf.backend().numDataIds()).toBe(before);
    inner();
    inner();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).not.toBe(registered);
    outer();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(registered);
  });

  it('is in place only while trainModel trains, so no gradient product takes the scalar loop', async () => {
    const examples: TrainingExample[] = Array.from({ length: 300 }, (_, index) => {
      const label = (index % 2) as 0 | 1;
      const jitter = ((index * 7919) % 101) / 101;
      return { features: Float32Array.of(label === 1 ? 18 + 6 * jitter : 7 + 4 * jitter, 3 + jitter, 0.3), label, subclass: label === 1 ? 'synthetic' : 'legit', key: `row${index}` };
    });
    const registered = tf.getKernel(tf.BatchMatMul, 'wasm');
    const result = await trainModel({ preset: 'default', featureSet: 'tutorial', examples: () => examples, epochs: 1, batchSize: 64 });
    result.model.dispose();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(registered);
    // Forward passes and gradients of the three Dense layers, every step.
    expect(reached.length).toBeGreaterThan(10);
    expect(reached.filter((call) => call.transposeA || call.transposeB)).toEqual([]);
  });
});
