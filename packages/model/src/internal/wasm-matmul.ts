import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];

const BACKEND = 'wasm';

let installs = 0;
let original: tf.KernelConfig | undefined;

/**
 * Makes tfjs-backend-wasm's `BatchMatMul` run every 2-D product through XNNPACK while training.
 *
 * The wasm kernel calls XNNPACK's fully-connected operator only when neither input is transposed;
 * with `transposeA` or `transposeB` it falls back to a scalar loop with strided reads. Every Dense
 * layer's gradient is such a product (`xᵀ·dy` for the kernel, `dy·Wᵀ` for the input), so on the
 * `default` preset that loop took three quarters of each optimizer step. The replacement
 * transposes the operand explicitly (a blocked copy, cheap next to the product) and calls the
 * original kernel without transposes. Batched products (leading dimensions above 1) and other
 * dtypes keep the original kernel. Same math; the sums run in XNNPACK's order instead of the loop's, so results
 * differ in the last bits but are just as deterministic.
 *
 * Returns the function that puts the original kernel back; installs nest (the kernel is restored
 * when the last one is released). A no-op unless the wasm backend is the current one.
 */
export function useTransposeFreeWasmMatMul(): () => void {
  const current = tf.getKernel(tf.BatchMatMul, BACKEND);
  if (current === undefined || tf.getBackend() !== BACKEND) return () => {};
  if (installs === 0) {
    original = current;
    tf.unregisterKernel(tf.BatchMatMul, BACKEND);
    tf.registerKernel({ ...current, kernelFunc: createKernel(current) });
  }
  installs += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    installs -= 1;
    if (installs === 0 && original !== undefined) {
      tf.unregisterKernel(tf.BatchMatMul, BACKEND);
      tf.registerKernel(original);
      original = undefined;
    }
  };
}

function createKernel(batchMatMul: tf.KernelConfig): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, attrs } = args;
    const backend = args.backend as tf.KernelBackend;
    const a = inputs['a'] as TensorInfo;
    const b = inputs['b'] as TensorInfo;
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    if ((!transposeA && !transposeB) || !isFloatMatrix(a) || !isFloatMatrix(b)) return batchMatMul.kernelFunc(args);
    const swapped: TensorInfo[] = [];
    const swap = (x: TensorInfo): TensorInfo => {
      const result = transposeMatrix(backend, x);
      swapped.push(result);
      return result;
    };
    try {
      return batchMatMul.kernelFunc({
        inputs: { a: transposeA ? swap(a) : a, b: transposeB ? swap(b) : b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const tensor of swapped) backend.disposeData(tensor.dataId);
    }
  };
}

/** True for a float32 matrix, or a batch of exactly one: what XNNPACK's path handles. */
function isFloatMatrix(tensor: TensorInfo): boolean {
  return tensor.dtype === 'float32' && tensor.shape.length >= 2 && tensor.shape.slice(0, -2).every((size) => size === 1);
}

const BLOCK = 16;

/**
 * A new tensor with the last two axes of `x` swapped. Done in JavaScript in cache-sized blocks:
 * about 4× faster than the wasm `Transpose` kernel's row-by-row loop on these shapes.
 */
function transposeMatrix(backend: tf.KernelBackend, x: TensorInfo): TensorInfo {
  const rows = x.shape.at(-2)!;
  const columns = x.shape.at(-1)!;
  const values = backend.readSync(x.dataId) as Float32Array;
  const transposed = new Float32Array(values.length);
  for (let rowStart = 0; rowStart < rows; rowStart += BLOCK) {
    const rowEnd = Math.min(rowStart + BLOCK, rows);
    for (let columnStart = 0; columnStart < columns; columnStart += BLOCK) {
      const columnEnd = Math.min(columnStart + BLOCK, columns);
      for (let row = rowStart; row < rowEnd; row += 1) {
        for (let column = columnStart; column < columnEnd; column += 1) transposed[column * rows + row] = values[row * columns + column]!;
      }
    }
  }
  const shape = [...x.shape.slice(0, -2), columns, rows];
  return { dataId: backend.write(transposed, shape, 'float32'), shape, dtype: 'float32' };
}
