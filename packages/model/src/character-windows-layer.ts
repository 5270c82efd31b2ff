import * as tf from '@tensorflow/tfjs';
import { singleInput, singleShape, WeightlessLayer, type LayerArgs } from './internal/weightless-layer';

/** Constructor options of {@link CharacterWindows} (plus tfjs's layer options: `inputShape`, `name`…). */
export interface CharacterWindowsArgs extends LayerArgs {
  /** Column of the first character code in the input row. */
  offset: number;
  /** Number of consecutive character codes (label positions). */
  positions: number;
  /** Codes 1…alphabetSize are characters; 0 (none) one-hot encodes to all zeros. */
  alphabetSize: number;
  /** Characters per window. */
  window: number;
}

/**
 * The character branch's input layer of `@dga/model`'s `char` preset: `[N, F]` rows in (the
 * character codes at columns `offset … offset + positions − 1`), `[N, positions − window + 1,
 * window · alphabetSize]` out: at each window position, the one-hot codes of `window` consecutive
 * characters side by side. A Dense layer on it is a 1-D convolution without `conv1d` (tfjs's wasm
 * backend has no gradient for it) and without `embedding` (nor for that).
 *
 * The one-hot value of code `c` for character `k` is `relu(1 − |c − k|)`: exactly 1 for `c = k`
 * and 0 for any other whole code (0, none, is all zeros); a fractional code, which no feature set
 * produces, would blend two neighbours. Arithmetic rather than a comparison because the wasm
 * backend broadcasts `equal` through a slow generic loop (40 ms a batch against a few for these
 * ops). No weights; registered with tfjs's serialization on import. `@dga/onnx-export` converts it
 * to Slice × window → Concat → Unsqueeze → Sub → Abs → Sub → Relu → Reshape, the same float
 * operations.
 *
 * @example
 * new CharacterWindows({ offset: 242, positions: 32, alphabetSize: 37, window: 3 }).apply(rows); // [N, 30, 111]
 */
export class CharacterWindows extends WeightlessLayer {
  /** @nocollapse */
  static className = 'CharacterWindows';
  readonly offset: number;
  readonly positions: number;
  readonly alphabetSize: number;
  readonly window: number;

  constructor(args: CharacterWindowsArgs) {
    const { offset, positions, alphabetSize, window } = args;
    // At least one window: positions >= window.
    super('CharacterWindows', args, { offset: [offset, 0], alphabetSize: [alphabetSize, 1], window: [window, 1], positions: [positions, window] });
    this.offset = offset;
    this.positions = positions;
    this.alphabetSize = alphabetSize;
    this.window = window;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape);
    return [shape[0] ?? null, this.positions - this.window + 1, this.window * this.alphabetSize];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput<tf.Tensor2D>(inputs);
      const windows = this.positions - this.window + 1;
      // [N, windows, window]: the codes of each window, first character first.
      const shifted = Array.from({ length: this.window }, (_, shift) => tf.slice(x, [0, this.offset + shift], [-1, windows]));
      const codes = tf.stack(shifted, 2);
      const characters = tf.range(1, this.alphabetSize + 1, 1, 'float32');
      const oneHot = tf.relu(tf.sub(1, tf.abs(tf.sub(tf.expandDims(codes, 3), characters))));
      return tf.reshape(oneHot, [-1, windows, this.window * this.alphabetSize]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), offset: this.offset, positions: this.positions, alphabetSize: this.alphabetSize, window: this.window };
  }
}

tf.serialization.registerClass(CharacterWindows);
