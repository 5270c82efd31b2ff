import type { LayerConverter } from './converter';
import { inputShapeOfRank, integerOption, sliceAxis, unsupportedOption } from './converter';

/**
 * `@dga/model`'s `DropColumns` layer (`[N, F]` → `[N, F − count]`, without columns `offset …
 * offset + count − 1`): a Slice of the columns before them and a Slice of those after, joined by
 * Concat on axis 1 (one Slice when the dropped columns touch an edge). Matched by class name.
 */
export const convertDropColumns: LayerConverter = (context) => {
  const { graph, scope, input } = context;
  const [inputSize] = inputShapeOfRank(context, 2);
  const offset = integerOption(context, 'offset', 0);
  const count = integerOption(context, 'count', 1);
  const end = offset + count;
  if (end > inputSize! || count === inputSize) {
    throw unsupportedOption(context, `offset=${offset}, count=${count} on ${inputSize} inputs`, `dropped columns inside the input, leaving at least one`);
  }
  const parts: string[] = [];
  if (offset > 0) parts.push(sliceAxis(context, `${scope}/before`, input, 1, 0, offset));
  if (end < inputSize!) parts.push(sliceAxis(context, `${scope}/after`, input, 1, end, inputSize!));
  const output = parts.length === 1 ? parts[0]! : graph.node('Concat', `${scope}/Concat`, parts, { axis: { int: 1 } });
  return { output, outputSize: inputSize! - count };
};

/** Converters of this family, keyed by tfjs `className`. */
export const dropColumnsConverters: ReadonlyMap<string, LayerConverter> = new Map([['DropColumns', convertDropColumns]]);
