import * as tf from '@tensorflow/tfjs';
import { singleInput, WeightlessLayer, widenedShape, type LayerArgs } from './internal/weightless-layer';

/** Constructor options of {@link LengthEncoding} (plus tfjs's layer options: `inputShape`, `name`…). */
export interface LengthEncodingArgs extends LayerArgs {
  /** Index of the `length` feature in the input row. */
  lengthIndex: number;
  /** Number of flags: `[length ≥ k]` for k = 2…thresholds + 1. */
  thresholds: number;
}

/**
 * The `length_encoding` layer of `@dga/model`'s `default` preset: `[N, F]` raw features in,
 * `[N, F + thresholds]` out — the features unchanged, then `clip(length − k + 1, 0, 1)` for
 * k = 2…thresholds + 1 (for whole lengths, the flags `[length ≥ k]`). No weights. Registered with
 * tfjs's serialization on import, so `tf.loadLayersModel` reads saved models that contain it once
 * `@dga/model` is imported. `@dga/onnx-export` converts it to MatMul → Sub → Clip → Concat.
 *
 * @example
 * new LengthEncoding({ lengthIndex: 0, thresholds: 39 }).apply(tf.tensor2d([[12, 3.1, 0.25]])); // [1, 42]
 */
export class LengthEncoding extends WeightlessLayer {
  /** @nocollapse */
  static className = 'LengthEncoding';
  readonly lengthIndex: number;
  readonly thresholds: number;

  constructor(args: LengthEncodingArgs) {
    // lengthIndex: the column of "length".
    super('LengthEncoding', args, { lengthIndex: [args.lengthIndex, 0], thresholds: [args.thresholds, 1] });
    this.lengthIndex = args.lengthIndex;
    this.thresholds = args.thresholds;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return widenedShape(inputShape, this.thresholds);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput<tf.Tensor2D>(inputs);
      const length = tf.slice(x, [0, this.lengthIndex], [-1, 1]);
      // k − 1 for k = 2…thresholds + 1.
      const offsets = tf.range(1, this.thresholds + 1, 1, 'float32');
      return tf.concat([x, tf.clipByValue(tf.sub(length, offsets), 0, 1)], 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), lengthIndex: this.lengthIndex, thresholds: this.thresholds };
  }
}

tf.serialization.registerClass(LengthEncoding);
