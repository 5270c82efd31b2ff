import * as tf from '@tensorflow/tfjs';
import { exportToOnnx } from '@dga/onnx-export';

/**
 * A fixed-weight softmax classifier `[N, inputSize] → [N, 2]` exported to ONNX, with its tfjs
 * twin for independent expectations. Weights are a closed-form function of the index.
 */
export async function tinyOnnxModel(inputSize: number): Promise<{ bytes: Uint8Array; model: tf.LayersModel }> {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 2, activation: 'softmax', inputShape: [inputSize] })],
  });
  const kernel = Array.from({ length: inputSize * 2 }, (_, index) => ((index % 7) - 3) / 10);
  model.setWeights([tf.tensor2d(kernel, [inputSize, 2]), tf.tensor1d([0.05, -0.05])]);
  const { bytes } = await exportToOnnx(model);
  return { bytes, model };
}
