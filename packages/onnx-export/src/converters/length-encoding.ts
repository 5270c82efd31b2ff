import type { LayerConverter } from './converter';
import { inputShapeOfRank, integerOption, unsupportedOption } from './converter';

/**
 * `@dga/model`'s `LengthEncoding` layer (`[N, F]` → `[N, F + thresholds]`: the input, then
 * `clip(x[:, lengthIndex] − k + 1, 0, 1)` for k = 2…thresholds + 1): MatMul with a one-hot
 * `[F, 1]` column picks the length, Sub of `[1…thresholds]` broadcasts it to `[N, thresholds]`,
 * Clip(0, 1), then Concat with the input on axis 1. Matched by class name; this package does not
 * import `@dga/model`.
 */
export const convertLengthEncoding: LayerConverter = (context) => {
  const { graph, scope, input } = context;
  const [inputSize] = inputShapeOfRank(context, 2) as [number];
  const lengthIndex = integerOption(context, 'lengthIndex', 0);
  const thresholds = integerOption(context, 'thresholds', 1);
  if (lengthIndex >= inputSize) {
    throw unsupportedOption(context, `lengthIndex=${lengthIndex} on ${inputSize} inputs`, `a lengthIndex below ${inputSize}`);
  }
  const selector = new Float32Array(inputSize);
  selector[lengthIndex] = 1;
  const length = graph.node('MatMul', `${scope}/length`, [input, graph.initializer(`${scope}/selector`, [inputSize, 1], selector)]);
  const offsets = Float32Array.from({ length: thresholds }, (_, index) => index + 1);
  const shifted = graph.node('Sub', `${scope}/Sub`, [length, graph.initializer(`${scope}/offsets`, [thresholds], offsets)]);
  const flags = graph.node('Clip', `${scope}/Clip`, [shifted, graph.initializer(`${scope}/min`, [], [0]), graph.initializer(`${scope}/max`, [], [1])]);
  const output = graph.node('Concat', `${scope}/Concat`, [input, flags], { axis: { int: 1 } });
  return { output, outputSize: inputSize + thresholds };
};

/** Converters of this family, keyed by tfjs `className`. */
export const lengthEncodingConverters: ReadonlyMap<string, LayerConverter> = new Map([['LengthEncoding', convertLengthEncoding]]);
