import type { LayerConverter } from './converter';
import { isLastAxis, numberOption, requireWeight, unsupportedOption } from './converter';

/** tfjs/Keras's BatchNormalization epsilon. ONNX's BatchNormalization defaults to 1e-5 instead. */
export const TFJS_BATCH_NORMALIZATION_EPSILON = 1e-3;

/**
 * `tf.layers.batchNormalization` at inference time, folded into one Mul and one Add:
 * `y = x * m + s` with `m = gamma / sqrt(movingVariance + epsilon)` and
 * `s = beta - movingMean * m`, computed in float64 with the layer's own epsilon, then stored
 * as float32.
 */
export const convertBatchNormalization: LayerConverter = (context) => {
  const { graph, scope, inputSize } = context;
  const axis = context.config['axis'] ?? -1;
  if (!isLastAxis(axis)) {
    throw unsupportedOption(context, `axis=${JSON.stringify(axis)}`, 'the feature axis (-1 or 1) of a [N, features] input');
  }
  const epsilon = numberOption(context, 'epsilon', TFJS_BATCH_NORMALIZATION_EPSILON);
  const mean = requireWeight(context, 'moving_mean').values;
  const variance = requireWeight(context, 'moving_variance').values;
  const gamma = context.config['scale'] === false ? undefined : requireWeight(context, 'gamma').values;
  const beta = context.config['center'] === false ? undefined : requireWeight(context, 'beta').values;
  for (const [name, values] of [['moving_mean', mean], ['moving_variance', variance], ['gamma', gamma], ['beta', beta]] as const) {
    if (values !== undefined && values.length !== inputSize) {
      throw unsupportedOption(context, `a ${name} of ${values.length} values on ${inputSize} features`, 'one value per feature');
    }
  }
  const multiplier = new Float32Array(inputSize);
  const shift = new Float32Array(inputSize);
  for (let index = 0; index < inputSize; index += 1) {
    const factor = (gamma?.[index] ?? 1) / Math.sqrt((variance[index] ?? 0) + epsilon);
    multiplier[index] = factor;
    shift[index] = (beta?.[index] ?? 0) - (mean[index] ?? 0) * factor;
  }
  const scaled = graph.node('Mul', `${scope}/Mul`, [context.input, graph.initializer(`${scope}/multiplier`, [inputSize], multiplier)]);
  const output = graph.node('Add', `${scope}/Add`, [scaled, graph.initializer(`${scope}/shift`, [inputSize], shift)]);
  return { output, outputSize: inputSize };
};

/** Converters of this family, keyed by tfjs `className`. */
export const batchNormalizationConverters: ReadonlyMap<string, LayerConverter> = new Map([
  ['BatchNormalization', convertBatchNormalization],
]);
