import * as tf from '@tensorflow/tfjs';
import { singleInput, singleShape, WeightlessLayer, type LayerArgs } from './internal/weightless-layer';

/**
 * `[N, positions, features]` in, `[N, features]` out: the maximum over positions (what
 * `tf.layers.globalMaxPooling1d` computes), with a gradient the wasm backend runs fast. tfjs's own
 * gradient of `max` compares with a broadcast `equal`, which the wasm backend runs through a slow
 * generic loop (about 70 ms a batch of the `char` preset); this one builds the same mask, 1 where
 * an input equals its maximum, as `1 − step(max − x)` from a broadcast subtraction. No weights;
 * registered with tfjs's serialization on import. `@dga/onnx-export` converts it to ReduceMax.
 *
 * @example
 * new PositionMax({}).apply(tf.tensor3d([[[1, 5], [3, 2]]])); // [[3, 5]]
 */
export class PositionMax extends WeightlessLayer {
  /** @nocollapse */
  static className = 'PositionMax';

  constructor(args: LayerArgs = {}) {
    super('PositionMax', args);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape);
    return [shape[0] ?? null, shape[2] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return positionMax(singleInput<tf.Tensor3D>(inputs));
  }
}

const positionMax = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
  const input = x as tf.Tensor3D;
  const value = tf.max(input, 1);
  (save as tf.GradSaveFunc)([input, value]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [kept, maximum] = saved as [tf.Tensor3D, tf.Tensor2D];
      const peak = tf.expandDims(maximum, 1);
      // 1 where x is its position's maximum (every tie, as tfjs's gradient of max), else 0.
      const mask = tf.sub(1, tf.step(tf.sub(peak, kept)));
      return tf.mul(tf.expandDims(dy, 1), mask);
    },
  };
}) as (x: tf.Tensor3D) => tf.Tensor2D;

tf.serialization.registerClass(PositionMax);
