import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { createModelMetadata, exportToOnnx } from '@dga/onnx-export';

/** Writes a small fixed ONNX model (3 features, seeded weights) to `path`, for tests that classify. */
export async function writeFixtureModel(path: string): Promise<void> {
  await tf.setBackend('cpu');
  const network = tf.sequential();
  network.add(tf.layers.dense({ units: 2, activation: 'softmax', inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }), biasInitializer: 'ones' }));
  const { bytes } = await exportToOnnx(network, { metadata: createModelMetadata({ featureSet: 'tutorial', seed: 7, preset: 'tutorial', tfjsBackend: 'cpu' }) });
  writeFileSync(path, bytes);
  network.dispose();
}

/**
 * Writes a model of the same contract whose score is NaN for labels of `minLength` characters or
 * more (their length times a huge weight overflows float32), for tests of a failure mid-stream.
 */
export async function writeOverflowModel(path: string, minLength: number): Promise<void> {
  await tf.setBackend('cpu');
  const network = tf.sequential();
  network.add(tf.layers.dense({ units: 2, activation: 'softmax', inputShape: [3], useBias: false }));
  // Feature 0 of the tutorial set is the length: 3.4e38 is float32's largest finite value.
  network.setWeights([tf.tensor2d([[3.5e38 / minLength, 0], [0, 0], [0, 0]])]);
  const { bytes } = await exportToOnnx(network, { metadata: createModelMetadata({ featureSet: 'tutorial', seed: 7, preset: 'tutorial', tfjsBackend: 'cpu' }), verifyParity: false });
  writeFileSync(path, bytes);
  network.dispose();
}
