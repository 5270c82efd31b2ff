import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';

/** Per-feature standardization: the model computes `f((x - mean) / std)`. */
export interface Normalization {
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

/** Streaming mean/variance (Welford), one accumulator per feature, in float64. */
export class WelfordAccumulator {
  private count = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  add(values: ArrayLike<number>): void {
    this.count += 1;
    for (let index = 0; index < this.size; index += 1) {
      const value = values[index]!;
      const delta = value - this.mean[index]!;
      this.mean[index] = this.mean[index]! + delta / this.count;
      this.m2[index] = this.m2[index]! + delta * (value - this.mean[index]!);
    }
  }

  /** Population mean and std; a constant feature (std < 1e-6) gets std 1 so it is only centred. */
  result(): Normalization {
    const mean = new Float32Array(this.size);
    const std = new Float32Array(this.size);
    for (let index = 0; index < this.size; index += 1) {
      mean[index] = this.mean[index]!;
      const deviation = this.count > 0 ? Math.sqrt(this.m2[index]! / this.count) : 0;
      std[index] = deviation < 1e-6 ? 1 : deviation;
    }
    return { mean, std };
  }
}

/** Throws unless `normalization` has `size` finite means and finite, positive stds. */
function checkNormalization(normalization: Normalization, size: number): void {
  const { mean, std } = normalization;
  if (mean.length !== size || std.length !== size) {
    throw new ModelError('ERR_MODEL_INVALID_OPTION', `normalization has ${mean.length} means and ${std.length} stds, but the model has ${size} inputs; compute them over the same inputs (the features, then one per length flag when the preset encodes length).`);
  }
  for (let index = 0; index < size; index += 1) {
    if (!Number.isFinite(mean[index]!) || !Number.isFinite(std[index]!) || std[index]! <= 0) {
      throw new ModelError('ERR_MODEL_INVALID_OPTION', `normalization of input ${index} is invalid (mean ${mean[index]}, std ${std[index]}); std must be finite and > 0.`);
    }
  }
}

/**
 * Rewrites the first Dense layer (after a `LengthEncoding`, if any; or the Dense layer `layerName`) so that `model(x) == model_before((x - mean) / std)`:
 * `W' = W / std` (row-wise) and `b' = b - (mean / std) · W`. Computed in float64.
 */
export function foldNormalization(model: tf.LayersModel, normalization: Normalization, size: number, layerName?: string): void {
  checkNormalization(normalization, size);
  const { mean, std } = normalization;
  // The first Dense layer: the model's first layer, or the one after a weightless LengthEncoding
  // (or the layer named `layerName`: a two-branch model's first Dense of its feature branch).
  const first = model.layers.find((layer) => (layerName === undefined ? layer.getClassName() === 'Dense' : layer.name === layerName));
  const weights = first?.getWeights() ?? [];
  const [kernelTensor, biasTensor] = weights;
  if (first === undefined || kernelTensor === undefined || biasTensor === undefined || kernelTensor.shape[0] !== size) {
    throw new ModelError('ERR_MODEL_INVALID_OPTION', `normalization of ${size} inputs can only be folded into a first Dense layer with a bias and ${size} inputs.`);
  }
  const units = kernelTensor.shape[1]!;
  const kernel = kernelTensor.dataSync();
  const bias = biasTensor.dataSync();
  const newKernel = new Float32Array(kernel.length);
  const newBias = new Float64Array(bias);
  for (let row = 0; row < size; row += 1) {
    const scale = 1 / std[row]!;
    const shift = mean[row]! * scale;
    for (let column = 0; column < units; column += 1) {
      const weight = kernel[row * units + column]!;
      newKernel[row * units + column] = weight * scale;
      newBias[column] = newBias[column]! - shift * weight;
    }
  }
  const kernelOut = tf.tensor2d(newKernel, [size, units]);
  const biasOut = tf.tensor1d(Float32Array.from(newBias));
  first.setWeights([kernelOut, biasOut]);
  kernelOut.dispose();
  biasOut.dispose();
}
