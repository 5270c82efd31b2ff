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
