import type { ConverterContext, LayerConverter } from './converter';
import { isLastAxis, numberOption, requireWeight, unsupportedOption } from './converter';

// Defaults as in tfjs-layers 4.22 `advanced_activations.ts`. Note LeakyReLU's 0.3: ONNX's
// LeakyRelu defaults to 0.01, so the alpha is always written explicitly.
const LEAKY_RELU_DEFAULT_ALPHA = 0.3;
const THRESHOLDED_RELU_DEFAULT_THETA = 1;

const same = (context: ConverterContext, output: string): { output: string; outputSize: number } => ({
  output,
  outputSize: context.inputSize,
});

/** `tf.layers.reLU({ maxValue })`: Relu, or Clip(0, maxValue) when capped. */
export const convertReLU: LayerConverter = (context) => {
  const maxValue = context.config['maxValue'];
  if (maxValue === undefined || maxValue === null) {
    return same(context, context.graph.node('Relu', `${context.scope}/Relu`, [context.input]));
  }
  const max = numberOption(context, 'maxValue', Number.POSITIVE_INFINITY);
  const { graph, scope } = context;
  const output = graph.node('Clip', `${scope}/Clip`, [
    context.input,
    graph.initializer(`${scope}/min`, [], [0]),
    graph.initializer(`${scope}/max`, [], [max]),
  ]);
  return same(context, output);
};

/** `tf.layers.leakyReLU({ alpha })`, alpha defaulting to tfjs's 0.3. */
export const convertLeakyReLU: LayerConverter = (context) => {
  const alpha = numberOption(context, 'alpha', LEAKY_RELU_DEFAULT_ALPHA);
  return same(context, context.graph.node('LeakyRelu', `${context.scope}/LeakyRelu`, [context.input], { alpha: { float: alpha } }));
};

/** `tf.layers.elu()`; tfjs itself only implements alpha = 1. */
export const convertELU: LayerConverter = (context) => {
  const alpha = numberOption(context, 'alpha', 1);
  if (alpha !== 1) throw unsupportedOption(context, `alpha=${alpha}`, 'alpha=1 (the only value tfjs implements)');
  return same(context, context.graph.node('Elu', `${context.scope}/Elu`, [context.input], { alpha: { float: 1 } }));
};

/** `tf.layers.thresholdedReLU({ theta })`: x where x > theta, else 0. */
export const convertThresholdedReLU: LayerConverter = (context) => {
  const theta = numberOption(context, 'theta', THRESHOLDED_RELU_DEFAULT_THETA);
  return same(
    context,
    context.graph.node('ThresholdedRelu', `${context.scope}/ThresholdedRelu`, [context.input], { alpha: { float: theta } }),
  );
};

/** `tf.layers.softmax({ axis })` along the last axis (tfjs's default axis 1 on `[N, features]`). */
export const convertSoftmax: LayerConverter = (context) => {
  const axis = context.config['axis'] ?? 1;
  if (!isLastAxis(axis)) {
    throw unsupportedOption(context, `axis=${JSON.stringify(axis)}`, 'the last axis (-1 or 1) of a [N, features] input');
  }
  return same(context, context.graph.node('Softmax', `${context.scope}/Softmax`, [context.input], { axis: { int: -1 } }));
};

/** `tf.layers.prelu()`: a learned slope per feature. */
export const convertPReLU: LayerConverter = (context) => {
  const alpha = requireWeight(context, 'alpha');
  if (alpha.values.length !== context.inputSize) {
    throw unsupportedOption(context, `a slope of shape [${alpha.shape.join(', ')}]`, `one slope per feature ([${context.inputSize}])`);
  }
  const slope = context.graph.initializer(`${context.scope}/alpha`, [context.inputSize], alpha.values);
  return same(context, context.graph.node('PRelu', `${context.scope}/PRelu`, [context.input, slope]));
};

/** Converters of this family, keyed by tfjs `className`. */
export const advancedActivationConverters: ReadonlyMap<string, LayerConverter> = new Map([
  ['ReLU', convertReLU],
  ['LeakyReLU', convertLeakyReLU],
  ['ELU', convertELU],
  ['ThresholdedReLU', convertThresholdedReLU],
  ['Softmax', convertSoftmax],
  ['PReLU', convertPReLU],
]);
