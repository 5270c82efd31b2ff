import type { onnx as Onnx } from 'onnx-proto';
import { int64ToNumber, onnx } from './internal/onnx-proto';
import { OnnxExportError } from './onnx-export-error';

/** What Devo's `mlevalmodel` needs to know about an ONNX classifier, read from its bytes. */
export interface OnnxModelInfo {
  /** Name of the single float input. */
  inputName: string;
  /** Name of the single float output. */
  outputName: string;
  /** `n` of the input shape `[N, n]`: the feature count. */
  inputSize: number;
  /** `k` of the output shape `[N, k]`: the class count. */
  outputSize: number;
  /** Version of the default (`ai.onnx`) opset. */
  opset: number;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** `metadata_props` as a plain object (keys in file order). */
  metadata: Record<string, string>;
}

/**
 * Decodes an ONNX model and checks it is what Devo's `mlevalmodel` runs: exactly one float32
 * input of shape `[N, n]` and one float32 output of shape `[N, k]`, with a symbolic batch
 * dimension `N` and fixed `n`, `k`. Throws `ERR_ONNX_INVALID_MODEL` naming the problem.
 *
 * @example
 * const info = readOnnxModelInfo(await readFile('model.onnx'));
 * console.log(info.inputSize, JSON.parse(info.metadata['dga.feature_names'] ?? '[]'));
 */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  let model: Onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw invalid(`the ${bytes.length} bytes are not an ONNX ModelProto (${(error as Error).message})`, error);
  }
  const graph = model.graph;
  if (graph === null || graph === undefined || (graph.node ?? []).length === 0) {
    throw invalid('it has no graph or an empty graph');
  }
  const initializerNames = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const inputs = (graph.input ?? []).filter((input) => !initializerNames.has(input.name));
  const outputs = graph.output ?? [];
  if (inputs.length !== 1) throw invalid(`it has ${inputs.length} graph inputs (besides initializers), not 1`);
  if (outputs.length !== 1) throw invalid(`it has ${outputs.length} graph outputs, not 1`);
  const [inputName, inputSize] = matrixShape(inputs[0], 'input');
  const [outputName, outputSize] = matrixShape(outputs[0], 'output');
  const defaultOpset = (model.opsetImport ?? []).find((entry) => (entry.domain ?? '') === '' || entry.domain === 'ai.onnx');
  if (defaultOpset === undefined) throw invalid('it imports no default-domain (ai.onnx) opset');
  const metadata: Record<string, string> = {};
  for (const entry of model.metadataProps ?? []) {
    if (typeof entry.key === 'string') metadata[entry.key] = entry.value ?? '';
  }
  return {
    inputName,
    outputName,
    inputSize,
    outputSize,
    opset: int64ToNumber(defaultOpset.version),
    irVersion: int64ToNumber(model.irVersion),
    producerName: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    metadata,
  };
}

function matrixShape(value: Onnx.IValueInfoProto | undefined, role: 'input' | 'output'): [string, number] {
  const name = value?.name ?? '';
  const tensorType = value?.type?.tensorType;
  if (tensorType === null || tensorType === undefined) throw invalid(`its ${role} "${name}" is not a tensor`);
  if (tensorType.elemType !== onnx.TensorProto.DataType.FLOAT) {
    const typeName = onnx.TensorProto.DataType[tensorType.elemType ?? 0] ?? String(tensorType.elemType);
    throw invalid(`its ${role} "${name}" has element type ${typeName}, not FLOAT (float32)`);
  }
  const dims = tensorType.shape?.dim ?? [];
  if (dims.length !== 2) throw invalid(`its ${role} "${name}" has rank ${dims.length}, not 2 ([N, ${role === 'input' ? 'n' : 'k'}])`);
  const [batch, width] = dims;
  const batchValue = int64ToNumber(batch?.dimValue);
  if (batchValue > 0) {
    throw invalid(`its ${role} "${name}" has a fixed batch dimension ${batchValue}; mlevalmodel needs a symbolic one ([N, …])`);
  }
  const size = int64ToNumber(width?.dimValue);
  if (!(size > 0)) throw invalid(`its ${role} "${name}" has no fixed second dimension`);
  return [name, size];
}

function invalid(problem: string, cause?: unknown): OnnxExportError {
  return new OnnxExportError(
    'ERR_ONNX_INVALID_MODEL',
    `Not a model Devo's mlevalmodel can run: ${problem}. Expected one float input [N, n] and one float output [N, k].`,
    cause === undefined ? undefined : { cause },
  );
}
