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

/** Converters of this family, keyed by tfjs `className`. */
export const mergeConverters: ReadonlyMap<string, LayerConverter> = new Map([['Concatenate', convertConcatenate]]);
