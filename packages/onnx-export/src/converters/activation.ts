import type { ConverterContext, LayerConverter } from './converter';
import { unsupportedOption } from './converter';

type Emit = (context: ConverterContext, input: string, name: string) => string;

// tfjs's SELU constants (tfjs-core `selu_util`), the same values ONNX uses as Selu's defaults.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const scalar = (context: ConverterContext, name: string, value: number): string =>
  context.graph.initializer(name, [], [value]);

/**
 * tfjs activation identifier (as `getConfig().activation` serializes it) → ONNX nodes.
 * Each entry mirrors tfjs-layers `activations.ts` in 4.22.
 */
const activations: ReadonlyMap<string, Emit> = new Map<string, Emit>([
  ['linear', (_context, input) => input],
  ['relu', (context, input, name) => context.graph.node('Relu', name, [input])],
  [
    'relu6',
    (context, input, name) =>
      context.graph.node('Clip', name, [input, scalar(context, `${name}/min`, 0), scalar(context, `${name}/max`, 6)]),
  ],
  ['sigmoid', (context, input, name) => context.graph.node('Sigmoid', name, [input])],
  // tfjs: clip(0.2 * x + 0.5, 0, 1), which is ONNX HardSigmoid with its default alpha/beta.
  [
    'hardSigmoid',
    (context, input, name) => context.graph.node('HardSigmoid', name, [input], { alpha: { float: 0.2 }, beta: { float: 0.5 } }),
  ],
  ['tanh', (context, input, name) => context.graph.node('Tanh', name, [input])],
  // Opset 13 Softmax normalizes along one axis; tfjs's softmax activation uses the last one.
  ['softmax', (context, input, name) => context.graph.node('Softmax', name, [input], { axis: { int: -1 } })],
  ['elu', (context, input, name) => context.graph.node('Elu', name, [input], { alpha: { float: 1 } })],
  [
    'selu',
    (context, input, name) =>
      context.graph.node('Selu', name, [input], { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } }),
  ],
  ['softplus', (context, input, name) => context.graph.node('Softplus', name, [input])],
  ['softsign', (context, input, name) => context.graph.node('Softsign', name, [input])],
  // tfjs swish: sigmoid(x) * x.
  [
    'swish',
    (context, input, name) => context.graph.node('Mul', name, [input, context.graph.node('Sigmoid', `${name}/Sigmoid`, [input])]),
  ],
  // tfjs mish: x * tanh(softplus(x)).
  [
    'mish',
    (context, input, name) => {
      const softplus = context.graph.node('Softplus', `${name}/Softplus`, [input]);
      return context.graph.node('Mul', name, [input, context.graph.node('Tanh', `${name}/Tanh`, [softplus])]);
    },
  ],
  // tfjs gelu: x * 0.5 * (1 + erf(x / sqrt(2))).
  [
    'gelu',
    (context, input, name) => {
      const { graph } = context;
      const scaled = graph.node('Div', `${name}/Div`, [input, scalar(context, `${name}/sqrt2`, Math.SQRT2)]);
      const erf = graph.node('Erf', `${name}/Erf`, [scaled]);
      const onePlus = graph.node('Add', `${name}/Add`, [erf, scalar(context, `${name}/one`, 1)]);
      const half = graph.node('Mul', `${name}/MulHalf`, [onePlus, scalar(context, `${name}/half`, 0.5)]);
      return graph.node('Mul', name, [input, half]);
    },
  ],
]);

/**
 * Activation identifiers (tfjs spelling) that Dense and Activation layers may use, sorted.
 *
 * @example
 * supportedActivations.includes('selu'); // true
 */
export const supportedActivations: readonly string[] = [...activations.keys()].sort();

/**
 * Appends the nodes of a tfjs activation to the graph and returns the output tensor. `linear`
 * adds nothing and returns `input`.
 */
export function emitActivation(context: ConverterContext, activation: unknown, input: string, name: string): string {
  const identifier = activation === undefined || activation === null ? 'linear' : activation;
  const emit = typeof identifier === 'string' ? activations.get(identifier) : undefined;
  if (emit === undefined) {
    throw unsupportedOption(context, `activation ${JSON.stringify(identifier)}`, `activations ${supportedActivations.join(', ')}`);
  }
  return emit(context, input, name);
}

/** `tf.layers.activation({ activation })`. */
export const convertActivation: LayerConverter = (context) => ({
  output: emitActivation(context, context.config['activation'], context.input, `${context.scope}/${activationOpName(context)}`),
  outputSize: context.inputSize,
});

function activationOpName(context: ConverterContext): string {
  const activation = context.config['activation'];
  return typeof activation === 'string' ? activation : 'activation';
}

/** Converters of this family, keyed by tfjs `className`. */
export const activationConverters: ReadonlyMap<string, LayerConverter> = new Map([['Activation', convertActivation]]);
