// Test models shaped like @dga/model's presets, built with seeded initializers, plus helpers.
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../src/internal/rng';

export async function useCpuBackend(): Promise<void> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
}

/** The tutorial preset's shape: Dense(10, relu, he_normal, L2) → BN → Dropout → Dense(7) → BN → Dropout → Dense(5) → Dense(2, softmax). */
export function tutorialShapedModel(seed = 42, inputSize = 3): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      units: 10,
      activation: 'relu',
      inputShape: [inputSize],
      kernelInitializer: tf.initializers.heNormal({ seed }),
      kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }),
    }),
  );
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.dropout({ rate: 0.3, seed }));
  model.add(tf.layers.dense({ units: 7, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }) }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.dropout({ rate: 0.3, seed }));
  model.add(tf.layers.dense({ units: 5, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 2 }) }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }));
  randomizeWeights(model, seed);
  return model;
}

/** The default preset's shape: 42 standardized-in-the-kernel features → Dense 128 → 64 → 32 (relu) → Dense(2, softmax). */
export function defaultShapedModel(seed = 42, inputSize = 42): tf.Sequential {
  const model = tf.sequential();
  [128, 64, 32].forEach((units, index) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + index }),
        ...(index === 0 ? { inputShape: [inputSize] } : {}),
      }),
    );
  });
  model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }));
  randomizeWeights(model, seed);
  return model;
}

/**
 * Replaces every weight with seeded values so biases and BatchNormalization statistics are not
 * the trivial 0/1 of a fresh model (a fresh BN layer hides epsilon and folding mistakes).
 * Variances stay positive.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rng = createRng(seed);
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const replaced = layer.weights.map((variable, index) => {
      const shape = weights[index]?.shape ?? [];
      const size = shape.reduce((product, dim) => product * dim, 1);
      const shortName = variable.originalName.split('/').pop();
      const values = Float32Array.from({ length: size }, () => {
        const centred = rng() * 2 - 1;
        if (shortName === 'moving_variance') return 0.01 + rng() * 2;
        if (shortName === 'gamma') return 0.5 + rng();
        if (shortName === 'kernel') return centred * Math.sqrt(6 / (shape[0] ?? 1));
        return centred * 0.5;
      });
      return tf.tensor(values, shape);
    });
    layer.setWeights(replaced);
    for (const tensor of replaced) tensor.dispose();
  }
}

/** Seeded rows resembling tutorial features: length 1..40, entropy 0..4.5, vowel proportion 0..1. */
export function tutorialRows(count: number, seed = 7): Float32Array {
  const rng = createRng(seed);
  const rows = new Float32Array(count * 3);
  for (let row = 0; row < count; row += 1) {
    rows[row * 3] = 1 + Math.floor(rng() * 40);
    rows[row * 3 + 1] = rng() * 4.5;
    rows[row * 3 + 2] = rng();
  }
  return rows;
}

/** Runs tfjs predict on row-major rows. */
export function predictTfjs(model: tf.LayersModel, rows: Float32Array, inputSize: number): Float32Array {
  return tf.tidy(() => {
    const output = model.predict(tf.tensor2d(rows, [rows.length / inputSize, inputSize])) as tf.Tensor;
    return Float32Array.from(output.dataSync());
  });
}

/** A Sequential model of one identity Dense (fixed weights) followed by `layer`. */
export function identityThen(layer: tf.layers.Layer, width: number): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: width, inputShape: [width], useBias: false, kernelInitializer: 'identity' }));
  model.add(layer);
  return model;
}

export function maxAbsDiff(left: ArrayLike<number>, right: ArrayLike<number>): number {
  if (left.length !== right.length) throw new Error(`length ${left.length} vs ${right.length}`);
  let max = 0;
  for (let index = 0; index < left.length; index += 1) max = Math.max(max, Math.abs((left[index] ?? 0) - (right[index] ?? 0)));
  return max;
}
