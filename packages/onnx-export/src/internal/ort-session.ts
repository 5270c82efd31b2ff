import * as ort from 'onnxruntime-node';
import { OnnxExportError } from '../onnx-export-error';
import { prepareOrtEnvironment } from './ort-environment';

export type OrtSession = ort.InferenceSession;

/** Opens an ONNX Runtime CPU session, translating ORT's failure into `ERR_ONNX_RUNTIME`. */
export async function openSession(bytes: Uint8Array, intraOpNumThreads?: number): Promise<OrtSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
  if (intraOpNumThreads !== undefined) options.intraOpNumThreads = intraOpNumThreads;
  await prepareOrtEnvironment(bytes);
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (error) {
    throw new OnnxExportError(
      'ERR_ONNX_RUNTIME',
      `ONNX Runtime ${ort.env.versions.node ?? ''} could not load the model (${(error as Error).message}); ` +
        `check that the file is a complete ONNX model with opset <= 21.`,
      { cause: error },
    );
  }
}

export interface RunOptions {
  inputName: string;
  outputName: string;
  inputSize: number;
  outputSize: number;
  batchSize: number;
}

/** Runs row-major rows through the session `batchSize` rows at a time; returns row-major outputs. */
export async function runBatched(session: OrtSession, rows: Float32Array, options: RunOptions): Promise<Float32Array> {
  const count = rows.length / options.inputSize;
  const outputs = new Float32Array(count * options.outputSize);
  for (let start = 0; start < count; start += options.batchSize) {
    const size = Math.min(options.batchSize, count - start);
    const batch = rows.subarray(start * options.inputSize, (start + size) * options.inputSize);
    const input = new ort.Tensor('float32', batch, [size, options.inputSize]);
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await session.run({ [options.inputName]: input }, [options.outputName]);
    } catch (error) {
      throw new OnnxExportError(
        'ERR_ONNX_RUNTIME',
        `ONNX Runtime failed on rows ${start}..${start + size - 1} (${(error as Error).message}).`,
        { cause: error },
      );
    }
    const output = result[options.outputName];
    if (output === undefined || !(output.data instanceof Float32Array) || output.data.length !== size * options.outputSize) {
      throw new OnnxExportError(
        'ERR_ONNX_RUNTIME',
        `ONNX Runtime returned no float32 [${size}, ${options.outputSize}] tensor "${options.outputName}".`,
      );
    }
    outputs.set(output.data, start * options.outputSize);
    output.dispose();
  }
  return outputs;
}
