import type { LayersModel, layers } from '@tensorflow/tfjs';
import type { onnx as Onnx } from 'onnx-proto';
import type { ConverterContext, GraphTensor, LayerWeight } from '../converters/converter';
import { converters, supportedLayers } from '../converters/registry';
import { OnnxExportError } from '../onnx-export-error';
import { createGraphBuilder } from './graph-builder';
import { onnx } from './onnx-proto';

/** ONNX IR version written (IR 7 = ONNX 1.8, what opset 13 shipped with). */
export const IR_VERSION = 7;
/** The default-domain opset written. */
export const OPSET = 13;
/** The symbolic batch dimension of the input and output. */
export const BATCH_DIM = 'N';

export interface ConvertModelOptions {
  metadata: Readonly<Record<string, string>>;
  producerName: string;
  producerVersion: string;
  inputName: string;
  outputName: string;
}

export interface ConvertedModel {
  bytes: Uint8Array;
  inputSize: number;
  outputSize: number;
  /** ONNX op types in node order, for reports and tests. */
  opTypes: string[];
}

/**
 * Converts a single-input, single-output graph of supported layers (a chain, or branches joined by
 * a merge layer such as `Concatenate`) into ONNX ModelProto bytes. Names depend only on layer
 * positions and classes, never on tfjs's global name counters, so two identical models give
 * identical bytes.
 */
export function convertModel(model: LayersModel, options: ConvertModelOptions): ConvertedModel {
  const { inputSize, layers: ordered } = inspectModel(model);
  const graph = createGraphBuilder();
  // The ONNX tensor (and its shape without the batch dimension) of each converted layer's output.
  const tensors = new Map<layers.Layer, GraphTensor>();
  let last: GraphTensor = { name: options.inputName, shape: [inputSize] };
  ordered.forEach((layer, index) => {
    const className = layer.getClassName();
    const converter = converters.get(className);
    if (converter === undefined) {
      throw new OnnxExportError(
        'ERR_ONNX_UNSUPPORTED_LAYER',
        `Layer "${layer.name}" (${className}) at position ${index} has no ONNX converter. ` +
          `Supported layers: ${supportedLayers.join(', ')}. Replace the layer or add a converter in src/converters/.`,
        { layerName: layer.name, layerClassName: className },
      );
    }
    const inputs = layer.inboundNodes[0]!.inboundLayers.map((source) => (source.getClassName() === 'InputLayer' ? { name: options.inputName, shape: [inputSize] } : tensors.get(source)!));
    const first = inputs[0]!;
    const context: ConverterContext = {
      layer,
      className,
      config: layer.getConfig(),
      weights: readWeights(layer, className),
      input: first.name,
      inputSize: first.shape.at(-1)!,
      inputs,
      scope: `${snakeCase(className)}_${index}`,
      graph,
    };
    const result = converter(context);
    last = { name: result.output, shape: result.outputShape ?? [...first.shape.slice(0, -1), result.outputSize] };
    tensors.set(layer, last);
  });

  const current = last.name;
  const currentSize = last.shape.at(-1)!;
  const outputShape = model.outputs[0]?.shape;
  if (last.shape.length !== 1 || (outputShape !== undefined && outputShape.length !== 2)) {
    throw new OnnxExportError(
      'ERR_ONNX_UNSUPPORTED_MODEL',
      `Model "${model.name}" outputs shape [N, ${last.shape.join(', ')}]; Devo's mlevalmodel needs one output row per input row ([N, k]). End the model with a Dense layer on a rank-2 tensor.`,
    );
  }
  const declaredOutput = outputShape?.[1];
  if (typeof declaredOutput === 'number' && declaredOutput !== currentSize) {
    throw new Error(`internal: converted width ${currentSize} differs from the model's output width ${declaredOutput}`);
  }
  if (current === options.inputName) {
    graph.node('Identity', options.outputName, [current]);
  } else {
    const producer = graph.nodes.find((node) => node.output?.[0] === current);
    if (producer === undefined) throw new Error(`internal: no node produces ${current}`);
    producer.output = [options.outputName];
  }

  const floatType = (size: number): Onnx.ITypeProto => ({
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: [{ dimParam: BATCH_DIM }, { dimValue: size }] },
    },
  });
  const metadataProps = Object.keys(options.metadata)
    .sort()
    .map((key) => ({ key, value: options.metadata[key] ?? '' }));
  const modelProto: Onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: options.producerName,
    producerVersion: options.producerVersion,
    graph: {
      name: 'model',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [{ name: options.inputName, type: floatType(inputSize) }],
      output: [{ name: options.outputName, type: floatType(currentSize) }],
    },
    metadataProps,
  };
  const bytes = onnx.ModelProto.encode(modelProto).finish();
  return {
    // A copy: protobufjs may hand back a slice of Node's shared Buffer pool, whose `.buffer` holds
    // other data; callers get a plain Uint8Array that owns exactly the model's bytes.
    bytes: new Uint8Array(bytes),
    inputSize,
    outputSize: currentSize,
    opTypes: graph.nodes.map((node) => node.opType ?? ''),
  };
}

interface InspectedModel {
  inputSize: number;
  /** The layers in data-flow order (every layer after all layers feeding it), without the InputLayer. */
  layers: layers.Layer[];
}

/**
 * Checks that the model is built, has one `[N, n]` input and one output, and that every layer is
 * applied once (no shared layers) and its output reaches the model's output (no dead branch);
 * returns the layers in data-flow order.
 */
export function inspectModel(model: LayersModel): InspectedModel {
  if (model.layers.length === 0 || model.inputs.length === 0) {
    throw new OnnxExportError(
      'ERR_ONNX_MODEL_NOT_BUILT',
      `Model "${model.name}" has no layers or no input; add layers and give the first one an inputShape before exporting.`,
    );
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new OnnxExportError(
      'ERR_ONNX_UNSUPPORTED_MODEL',
      `Model "${model.name}" has ${model.inputs.length} inputs and ${model.outputs.length} outputs; ` +
        `Devo's mlevalmodel needs exactly one float input [N, n] and one output [N, k]. Export a single-input, single-output model.`,
    );
  }
  const inputShape = model.inputs[0]?.shape ?? [];
  const inputSize = inputShape[1];
  if (inputShape.length !== 2 || typeof inputSize !== 'number' || inputSize <= 0) {
    throw new OnnxExportError(
      'ERR_ONNX_UNSUPPORTED_MODEL',
      `Model "${model.name}" takes input of shape [${inputShape.map(String).join(', ')}]; only [N, features] ` +
        `(rank 2, fixed feature count) is supported. Build the model with inputShape: [features].`,
    );
  }
  const ordered = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  const seen = new Set<layers.Layer>();
  const used = new Set<layers.Layer>();
  for (const layer of ordered) {
    if (!layer.built) {
      throw new OnnxExportError(
        'ERR_ONNX_MODEL_NOT_BUILT',
        `Layer "${layer.name}" (${layer.getClassName()}) is not built; build the model before exporting.`,
        { layerName: layer.name, layerClassName: layer.getClassName() },
      );
    }
    const inbound = layer.inboundNodes.flatMap((node) => node.inboundLayers);
    const ready = layer.inboundNodes.length === 1 && inbound.length > 0 && inbound.every((source) => seen.has(source) || (source.getClassName() === 'InputLayer' && source === model.inputs[0]?.sourceLayer));
    if (!ready) {
      throw new OnnxExportError(
        'ERR_ONNX_UNSUPPORTED_MODEL',
        `Layer "${layer.name}" (${layer.getClassName()}) is applied ${layer.inboundNodes.length} times or fed by [${inbound.map((source) => source.name).join(', ')}] ` +
          `out of order; only a graph that applies each layer once to the model's input or earlier layers can be exported.`,
        { layerName: layer.name, layerClassName: layer.getClassName() },
      );
    }
    for (const source of inbound) used.add(source);
    seen.add(layer);
  }
  const outputLayer = model.outputs[0]?.sourceLayer;
  const dead = ordered.find((layer) => !used.has(layer) && layer !== outputLayer);
  if (outputLayer === undefined || !seen.has(outputLayer) || ordered.at(-1) !== outputLayer || dead !== undefined) {
    throw new OnnxExportError(
      'ERR_ONNX_UNSUPPORTED_MODEL',
      `Model "${model.name}" does not output its last layer${dead === undefined ? '' : ` (layer "${dead.name}" feeds nothing)`}; only a graph whose every layer leads to the output can be exported.`,
    );
  }
  return { inputSize, layers: ordered };
}

/** Copies a layer's weights out of tfjs, keyed by short name, rejecting NaN and ±Infinity. */
function readWeights(layer: layers.Layer, className: string): Map<string, LayerWeight> {
  const variables = layer.weights;
  const tensors = layer.getWeights();
  const weights = new Map<string, LayerWeight>();
  variables.forEach((variable, index) => {
    const tensor = tensors[index];
    if (tensor === undefined) return;
    const shortName = variable.originalName.split('/').pop() ?? variable.originalName;
    const values = Float32Array.from(tensor.dataSync() as ArrayLike<number>);
    const bad = values.findIndex((value) => !Number.isFinite(value));
    if (bad !== -1) {
      throw new OnnxExportError(
        'ERR_ONNX_INVALID_WEIGHTS',
        `Layer "${layer.name}" (${className}) weight "${shortName}" holds ${values[bad]} at flat index ${bad}; ` +
          `the model probably diverged in training. Retrain (lower the learning rate, check the inputs for NaN) before exporting.`,
        { layerName: layer.name, layerClassName: className },
      );
    }
    weights.set(shortName, { shape: [...tensor.shape], values });
  });
  return weights;
}

/** `BatchNormalization` → `batch_normalization`, `LeakyReLU` → `leaky_relu`, `PReLU` → `prelu`. */
export function snakeCase(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
