import * as tf from '@tensorflow/tfjs';

/**
 * The model's output for the first `count` rows of `x` (`columns` values per row), in inference
 * mode. Calls `model.apply` on the whole block: `model.predict` cuts its input into batches of 32,
 * and on the wasm backend each cut copies the whole input (3.5 s instead of 50 ms for 4096 rows
 * of the `default` network).
 */
export function predictRows(model: tf.LayersModel, x: Float32Array, count: number, columns: number): Float32Array {
  return tf.tidy(() => (model.apply(tf.tensor2d(x.subarray(0, count * columns), [count, columns]), { training: false }) as tf.Tensor).dataSync() as Float32Array);
}
