import * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors';
import { singleInput, WeightlessLayer, widenedShape, type LayerArgs } from './internal/weightless-layer';

/** Constructor options of {@link DropColumns} (plus tfjs's layer options: `inputShape`, `name`…). */
export interface DropColumnsArgs extends LayerArgs {
  /** First column dropped. */
  offset: number;
  /** Number of consecutive columns dropped. */
  count: number;
}

/**
 * `[N, F]` in, `[N, F − count]` out: the input without columns `offset … offset + count − 1`.
 * The `char` preset's feature branch drops the character codes with it (the character branch
 * reads them). No weights; registered with tfjs's serialization on import. `@dga/onnx-export`
 * converts it to Slice (and Slice → Concat when columns remain on both sides).
 *
 * @example
 * new DropColumns({ offset: 1, count: 2 }).apply(tf.tensor2d([[1, 2, 3, 4]])); // [[1, 4]]
 */
export class DropColumns extends WeightlessLayer {
  /** @nocollapse */
  static className = 'DropColumns';
  readonly offset: number;
  readonly count: number;

  constructor(args: DropColumnsArgs) {
    super('DropColumns', args, { offset: [args.offset, 0], count: [args.count, 1] });
    this.offset = args.offset;
    this.count = args.count;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return widenedShape(inputShape, -this.count);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput<tf.Tensor2D>(inputs);
      const width = x.shape[1];
      const end = this.offset + this.count;
      if (end > width) {
        throw new ModelError('ERR_MODEL_INVALID_OPTION', `DropColumns "${this.name}": columns ${this.offset}…${end - 1} lie beyond the input's ${width} columns.`);
      }
      const parts: tf.Tensor2D[] = [];
      if (this.offset > 0) parts.push(tf.slice(x, [0, 0], [-1, this.offset]));
      if (end < width) parts.push(tf.slice(x, [0, end], [-1, width - end]));
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), offset: this.offset, count: this.count };
  }
}

tf.serialization.registerClass(DropColumns);
