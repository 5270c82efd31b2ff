import type { layers } from '@tensorflow/tfjs';
import type { GraphBuilder } from '../internal/graph-builder';
import { OnnxExportError } from '../onnx-export-error';

/** A weight of a layer, copied out of tfjs and checked to be finite. */
export interface LayerWeight {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A tensor of the ONNX graph that feeds a layer: its name and its shape without the batch dimension. */
export interface GraphTensor {
  readonly name: string;
  readonly shape: readonly number[];
}

/** What a converter gets: one layer, its input tensors in the ONNX graph, and the graph to extend. */
export interface ConverterContext {
  readonly layer: layers.Layer;
  /** `layer.getClassName()`. */
  readonly className: string;
  /** `layer.getConfig()`. */
  readonly config: Record<string, unknown>;
  /** Weights keyed by their short name (`kernel`, `bias`, `gamma`, `moving_mean`…). */
  readonly weights: ReadonlyMap<string, LayerWeight>;
  /** Name of the (first) ONNX tensor feeding this layer. */
  readonly input: string;
  /** The last dimension of `input` (its width for `[N, inputSize]`). */
  readonly inputSize: number;
  /** Every tensor feeding this layer, in the layer's input order (a merge layer has several). */
  readonly inputs: readonly GraphTensor[];
  /** Prefix for node and initializer names, stable across runs: `dense_0`, `batch_normalization_1`. */
  readonly scope: string;
  readonly graph: GraphBuilder;
}

/**
 * What a converter returns: the ONNX tensor holding the layer's output and its last dimension;
 * `outputShape` (without the batch dimension) when the layer changes more than the last
 * dimension (by default, the input's shape with the last dimension set to `outputSize`).
 */
export interface ConverterResult {
  readonly output: string;
  readonly outputSize: number;
  readonly outputShape?: readonly number[];
}

/** Turns one tfjs layer into ONNX nodes. Throws `ERR_ONNX_UNSUPPORTED_LAYER` for options it cannot express. */
export type LayerConverter = (context: ConverterContext) => ConverterResult;

/** The error for a layer option or activation without an ONNX equivalent here. */
export function unsupportedOption(context: ConverterContext, what: string, supported: string): OnnxExportError {
  const name = context.layer.name;
  return new OnnxExportError(
    'ERR_ONNX_UNSUPPORTED_LAYER',
    `Layer "${name}" (${context.className}) uses ${what}, which @dga/onnx-export cannot convert to ONNX. ` +
      `Supported: ${supported}. Rebuild the model with a supported option or add a converter in src/converters/.`,
    { layerName: name, layerClassName: context.className },
  );
}

/** A weight the layer must have; a missing one means the layer was not built. */
export function requireWeight(context: ConverterContext, name: string): LayerWeight {
  const weight = context.weights.get(name);
  if (weight === undefined) {
    throw new OnnxExportError(
      'ERR_ONNX_MODEL_NOT_BUILT',
      `Layer "${context.layer.name}" (${context.className}) has no "${name}" weight; ` +
        `build the model (give the first layer an inputShape) before exporting.`,
      { layerName: context.layer.name, layerClassName: context.className },
    );
  }
  return weight;
}

/** Reads a numeric option from the layer config, with the tfjs default when absent. */
export function numberOption(context: ConverterContext, key: string, fallback: number): number {
  const value = context.config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw unsupportedOption(context, `${key}=${JSON.stringify(value)}`, `a finite number for ${key}`);
  }
  return value;
}

/** An integer option of the layer config, at least `minimum`. */
export function integerOption(context: ConverterContext, key: string, minimum: number): number {
  const value = context.config[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw unsupportedOption(context, `${key}=${JSON.stringify(value)}`, `an integer ${key} >= ${minimum}`);
  }
  return value;
}

/** The shape (without the batch dimension) of the layer's only input, checked to have `rank` dimensions. */
export function inputShapeOfRank(context: ConverterContext, rank: number): readonly number[] {
  const shape = context.inputs[0]?.shape ?? [];
  if (context.inputs.length !== 1 || shape.length !== rank - 1) {
    throw unsupportedOption(context, `inputs of shapes ${context.inputs.map((input) => `[N, ${input.shape.join(', ')}]`).join(' and ')}`, `one input of rank ${rank}`);
  }
  return shape;
}

/** `Slice` of `input` along `axis` from `start` to `end` (int64 starts/ends/axes initializers under `name`). */
export function sliceAxis(context: ConverterContext, name: string, input: string, axis: number, start: number, end: number): string {
  const { graph } = context;
  return graph.node('Slice', name, [input, graph.int64Initializer(`${name}/starts`, [1], [start]), graph.int64Initializer(`${name}/ends`, [1], [end]), graph.int64Initializer(`${name}/axes`, [1], [axis])]);
}

/** True when `axis` names the last axis of a rank-2 tensor (`-1` or `1`). */
export function isLastAxis(axis: unknown): boolean {
  if (Array.isArray(axis)) return axis.length === 1 && isLastAxis(axis[0]);
  return axis === -1 || axis === 1;
}
