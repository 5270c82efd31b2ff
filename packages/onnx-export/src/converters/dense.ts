import { emitActivation } from './activation';
import type { LayerConverter } from './converter';
import { requireWeight, unsupportedOption } from './converter';

/**
 * `tf.layers.dense`: MatMul with the `[in, units]` kernel, Add of the bias (when `useBias`),
 * then the activation's nodes.
 */
export const convertDense: LayerConverter = (context) => {
  const { graph, scope } = context;
  const kernel = requireWeight(context, 'kernel');
  const [rows, units] = kernel.shape;
  if (kernel.shape.length !== 2 || rows !== context.inputSize || units === undefined) {
    throw unsupportedOption(
      context,
      `a kernel of shape [${kernel.shape.join(', ')}] on ${context.inputSize} inputs`,
      `a [${context.inputSize}, units] kernel`,
    );
  }
  const kernelName = graph.initializer(`${scope}/kernel`, kernel.shape, kernel.values);
  let output = graph.node('MatMul', `${scope}/MatMul`, [context.input, kernelName]);
  if (context.config['useBias'] !== false) {
    const bias = requireWeight(context, 'bias');
    if (bias.values.length !== units) {
      throw unsupportedOption(context, `a bias of shape [${bias.shape.join(', ')}]`, `a [${units}] bias`);
    }
    output = graph.node('Add', `${scope}/BiasAdd`, [output, graph.initializer(`${scope}/bias`, [units], bias.values)]);
  }
  const activation = context.config['activation'];
  const activationName = typeof activation === 'string' ? activation : 'activation';
  return { output: emitActivation(context, activation, output, `${scope}/${activationName}`), outputSize: units };
};

/** Converters of this family, keyed by tfjs `className`. */
export const denseConverters: ReadonlyMap<string, LayerConverter> = new Map([['Dense', convertDense]]);
