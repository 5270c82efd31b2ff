import type { layers } from '@tensorflow/tfjs';
import type { GraphBuilder } from '../internal/graph-builder';
import { OnnxExportError } from '../onnx-export-error';

/** A weight of a layer, copied out of tfjs and checked to be finite. */
export interface LayerWeight {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** What a converter gets: one layer, its input tensor in the ONNX graph, and the graph to extend. */
export interface ConverterContext {
  readonly layer: layers.Layer;
  /** `layer.getClassName()`. */
  readonly className: string;
  /** `layer.getConfig()`. */
  readonly config: Record<string, unknown>;
  /** Weights keyed by their short name (`kernel`, `bias`, `gamma`, `moving_mean`…). */
  readonly weights: ReadonlyMap<string, LayerWeight>;
  /** Name of the ONNX tensor feeding this layer (shape `[N, inputSize]`). */
  readonly input: string;
  readonly inputSize: number;
  /** Prefix for node and initializer names, stable across runs: `dense_0`, `batch_normalization_1`. */
  readonly scope: string;
  readonly graph: GraphBuilder;
}

/** What a converter returns: the ONNX tensor holding the layer's output, and its width. */
export interface ConverterResult {
  readonly output: string;
  readonly outputSize: number;
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

/** True when `axis` names the last axis of a rank-2 tensor (`-1` or `1`). */
export function isLastAxis(axis: unknown): boolean {
  if (Array.isArray(axis)) return axis.length === 1 && isLastAxis(axis[0]);
  return axis === -1 || axis === 1;
}
