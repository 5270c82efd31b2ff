import type { LayerConverter } from './converter';
import { inputShapeOfRank } from './converter';

/**
 * `@dga/model`'s `PositionMax` layer (`[N, positions, features]` → `[N, features]`, the maximum
 * over positions): ReduceMax over axis 1 without keeping it. Matched by class name.
 */
export const convertPositionMax: LayerConverter = (context) => {
  const [, features] = inputShapeOfRank(context, 3);
  const output = context.graph.node('ReduceMax', `${context.scope}/ReduceMax`, [context.input], { axes: { ints: [1] }, keepdims: { int: 0 } });
  return { output, outputSize: features!, outputShape: [features!] };
};

/** Converters of this family, keyed by tfjs `className`. */
export const positionMaxConverters: ReadonlyMap<string, LayerConverter> = new Map([['PositionMax', convertPositionMax]]);
