import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import { createRng, deriveSeed } from './rng';
import type { TrainBatch } from './train-batches';

type DropoutLike = tf.layers.Layer & { seed?: number | undefined };

/** What one optimizer step measured. */
export interface StepResult {
  /** Mean loss of the batch, regularization included. */
  loss: number;
  /** Rows of the batch the network classified right (before the step's update). */
  correct: number;
}

/** One Adam step on a batch, with seeded dropout; see {@link createTrainingStep}. */
export interface TrainingStep {
  run(batch: TrainBatch, learningRate: number): StepResult;
  /** Puts back the dropout layers' own seeds (the per-step ones are for training only). */
  restoreDropoutSeeds(): void;
}

/**
 * The hand-rolled training step of `trainModel` on `model` (which must end in a Dense softmax
 * layer with a bias, or in an Average of such layers, the heads): the same math as `model.fit`,
 * without its per-step overhead. With several heads the loss is the mean of each head's own
 * cross-entropy, so each head learns to classify alone (measured better than the cross-entropy of
 * the averaged probabilities, docs/decisions/0016). Every step reseeds the dropout layers from a
 * generator derived from `seed`, so runs are reproducible.
 */
export function createTrainingStep(model: tf.LayersModel, width: number, seed: number): TrainingStep {
  const optimizer = model.optimizer;
  const adam = optimizer as unknown as { learningRate: number };
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const outputLayer = model.layers.at(-1)!;
  // The softmax heads: the output layer, or the layers an Average output joins.
  const heads = outputLayer.getClassName() === 'Average' ? outputLayer.inboundNodes[0]!.inboundLayers : [outputLayer];
  const headWeights = heads.map((head) => {
    const [kernel, bias] = head.trainableWeights.map((weight) => weight.read());
    if (head.getClassName() !== 'Dense' || kernel === undefined || bias === undefined) {
      throw new ModelError('ERR_MODEL_INVALID_OPTION', 'trainModel: the model must end in a Dense softmax layer with a bias, or in an Average of such layers.');
    }
    return { kernel, bias };
  });
  // A Sequential model runs its hidden layers in turn; a functional one (two branches) through a
  // model sharing its layers up to the heads' inputs.
  const hiddenLayers = model instanceof tf.Sequential ? model.layers.slice(0, -1) : [tf.model({ inputs: model.inputs, outputs: heads.map((head) => head.input as tf.SymbolicTensor) })];
  const dropoutLayers = model.layers.filter((layer): layer is DropoutLike => layer.getClassName() === 'Dropout');
  const dropoutSeeds = dropoutLayers.map((layer) => layer.seed);
  const dropoutRng = createRng(deriveSeed(seed, 'dropout-steps'));
  const run = (batch: TrainBatch, learningRate: number): StepResult => {
    const { x, labels, count } = batch;
    const oneHot = new Float32Array(count * 2);
    for (let row = 0; row < count; row += 1) oneHot[row * 2 + labels[row]!] = 1;
    for (const layer of dropoutLayers) layer.seed = dropoutRng.nextUint32() & 0x7fffffff;
    adam.learningRate = learningRate;
    let predictions: tf.Tensor | undefined;
    const xs = tf.tensor2d(x, [count, width]);
    const ys = tf.tensor2d(oneHot, [count, 2]);
    const lossTensor = optimizer.minimize(
      () => {
        // Keras (TensorFlow backend) computes categorical cross-entropy of a softmax layer
        // from its logits; tfjs's loss clips the probabilities to [1e-7, 1 - 1e-7], which
        // zeroes the gradient of confidently wrong rows. Match Keras: run the hidden layers,
        // then the output layer's kernel and bias without its softmax.
        let hidden: tf.Tensor | tf.Tensor[] = xs;
        for (const layer of hiddenLayers) hidden = layer.apply(hidden, { training: true }) as tf.Tensor | tf.Tensor[];
        const headInputs = Array.isArray(hidden) ? hidden : [hidden];
        const logits = headWeights.map(({ kernel, bias }, index) => tf.add(tf.matMul(headInputs[index]!, kernel), bias));
        // Correct counts use the model's output (the argmax of the summed probabilities is the average's).
        predictions = tf.keep(logits.length === 1 ? logits[0]! : tf.addN(logits.map((headLogits) => tf.softmax(headLogits))));
        const headLosses = logits.map((headLogits) => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(ys, headLogits, undefined, undefined, tf.Reduction.MEAN));
        let loss: tf.Tensor = headLosses.length === 1 ? headLosses[0]! : tf.mean(tf.stack(headLosses));
        for (const penalty of model.calculateLosses()) loss = tf.add(loss, penalty);
        return loss as tf.Scalar;
      },
      true,
      variables,
    );
    xs.dispose();
    ys.dispose();
    // The cpu and tensorflow backends hold data in host memory: these reads are copies, not
    // device syncs.
    const loss = lossTensor!.dataSync()[0]!;
    lossTensor!.dispose();
    const output = predictions!.dataSync();
    predictions!.dispose();
    let correct = 0;
    for (let row = 0; row < count; row += 1) {
      if ((output[row * 2 + 1]! > output[row * 2]! ? 1 : 0) === labels[row]) correct += 1;
    }
    return { loss, correct };
  };
  return {
    run,
    restoreDropoutSeeds() {
      dropoutLayers.forEach((layer, index) => {
        layer.seed = dropoutSeeds[index];
      });
    },
  };
}
