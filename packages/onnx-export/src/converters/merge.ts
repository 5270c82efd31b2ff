import type { LayerConverter } from './converter';
import { unsupportedOption } from './converter';

/**
 * `tf.layers.concatenate` of tensors of one rank: Concat on the layer's axis (negative axes count
 * from the end; the batch axis cannot be joined).
 */
export const convertConcatenate: LayerConverter = (context) => {
  const { inputs } = context;
  const rank = inputs[0]!.shape.length + 1;
  const configured = context.config['axis'];
  const axis = typeof configured === 'number' ? (configured < 0 ? configured + rank : configured) : Number.NaN;
  const sameRank = inputs.every((input) => input.shape.length + 1 === rank);
  if (inputs.length < 2 || !sameRank || !Number.isInteger(axis) || axis < 1 || axis >= rank) {
    throw unsupportedOption(context, `axis=${JSON.stringify(configured)} on inputs of shapes ${inputs.map((input) => `[N, ${input.shape.join(', ')}]`).join(', ')}`, 'two or more inputs of one rank joined on a non-batch axis');
  }
  const output = context.graph.node('Concat', `${context.scope}/Concat`, inputs.map((input) => input.name), { axis: { int: axis } });
  const outputShape = inputs[0]!.shape.map((size, index) => (index === axis - 1 ? inputs.reduce((sum, input) => sum + input.shape[index]!, 0) : size));
  return { output, outputSize: outputShape.at(-1)!, outputShape };
};

/**
 * `tf.layers.average` of tensors of one shape (two softmax heads, say): ONNX `Mean`, the
 * element-wise mean of its inputs (tfjs's Average also broadcasts; that is not converted here).
 */
export const convertAverage: LayerConverter = (context) => {
  const { inputs } = context;
  const shape = inputs[0]!.shape;
  const sameShape = inputs.every((input) => input.shape.length === shape.length && input.shape.every((size, index) => size === shape[index]));
  if (inputs.length < 2 || !sameShape) {
    throw unsupportedOption(context, `inputs of shapes ${inputs.map((input) => `[N, ${input.shape.join(', ')}]`).join(', ')}`, 'two or more inputs of one shape');
  }
  const output = context.graph.node('Mean', `${context.scope}/Mean`, inputs.map((input) => input.name));
  return { output, outputSize: shape.at(-1)!, outputShape: shape };
};

/** Converters of this family, keyed by tfjs `className`. */
export const mergeConverters: ReadonlyMap<string, LayerConverter> = new Map([
  ['Concatenate', convertConcatenate],
  ['Average', convertAverage],
]);
