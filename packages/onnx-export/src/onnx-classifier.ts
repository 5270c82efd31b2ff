import { readFile } from 'node:fs/promises';
import { openSession, runBatched } from './internal/ort-session';
import { OnnxExportError } from './onnx-export-error';
import type { OnnxModelInfo } from './read-onnx-model-info';
import { readOnnxModelInfo } from './read-onnx-model-info';

/**
 * Rows per ONNX Runtime call unless told otherwise.
 *
 * @example
 * await createOnnxClassifier(file, { batchSize: DEFAULT_BATCH_SIZE * 4 });
 */
export const DEFAULT_BATCH_SIZE = 8192;

/** Options of {@link createOnnxClassifier}. */
export interface OnnxClassifierOptions {
  /**
   * ONNX Runtime threads inside one operator. Leave unset for ORT's default (one per core);
   * 1 keeps a server process predictable.
   * @default ORT's default
   */
  intraOpNumThreads?: number;
  /**
   * Rows per `session.run` call; `predict` splits larger inputs.
   * @default 8192
   */
  batchSize?: number;
  /**
   * How errors name the model, e.g. its path when the model is given as bytes.
   * @default the path, or 'the ONNX model' for bytes
   */
  name?: string;
}

/** A loaded ONNX classifier: one ONNX Runtime session reused by every `predict` call. */
export interface OnnxClassifier {
  /** The model's input/output names and sizes, opset and metadata. */
  readonly info: OnnxModelInfo;
  /**
   * Scores row-major `N × inputSize` features; returns row-major `N × outputSize` outputs. Throws
   * `ERR_ONNX_NON_FINITE_OUTPUT` (with `row`) when the model outputs NaN or ±Infinity for a row.
   */
  predict(rows: Float32Array): Promise<Float32Array>;
  /** Releases the ONNX Runtime session. Safe to call twice. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Loads an ONNX model (a path or its bytes), checks it has one float `[N, n]` input and one float
 * `[N, k]` output, and opens one reusable ONNX Runtime CPU session for it.
 *
 * @example
 * const classifier = await createOnnxClassifier('run/model.onnx', { intraOpNumThreads: 1 });
 * const scores = await classifier.predict(new Float32Array([11, 3.1, 0.27]));
 * console.log('P(DGA) =', scores[1]);
 * await classifier.dispose();
 */
export async function createOnnxClassifier(
  source: string | Uint8Array,
  options: OnnxClassifierOptions = {},
): Promise<OnnxClassifier> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new OnnxExportError('ERR_ONNX_INVALID_OPTION', `batchSize must be a positive integer, got ${batchSize}.`);
  }
  const threads = options.intraOpNumThreads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 0)) {
    throw new OnnxExportError(
      'ERR_ONNX_INVALID_OPTION',
      `intraOpNumThreads must be a non-negative integer (0 = ORT's default), got ${threads}.`,
    );
  }
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw new OnnxExportError('ERR_ONNX_IO', `Cannot read ONNX model ${source}: ${(error as Error).message}.`, { cause: error });
    }
  } else {
    bytes = source;
  }
  const name = options.name ?? (typeof source === 'string' ? source : 'the ONNX model');
  const info = readOnnxModelInfo(bytes);
  let session: Awaited<ReturnType<typeof openSession>> | undefined = await openSession(bytes, threads);

  const dispose = async (): Promise<void> => {
    const current = session;
    session = undefined;
    await current?.release();
  };
  return {
    info,
    async predict(rows) {
      if (session === undefined) {
        throw new OnnxExportError('ERR_ONNX_DISPOSED', 'This ONNX classifier was disposed; create a new one with createOnnxClassifier.');
      }
      if (rows.length % info.inputSize !== 0) {
        throw new OnnxExportError(
          'ERR_ONNX_SHAPE_MISMATCH',
          `Got ${rows.length} values, which is not a whole number of rows of ${info.inputSize} features ` +
            `(model input "${info.inputName}" is [N, ${info.inputSize}]). Compute the same feature set the model was trained on` +
            `${info.metadata['dga.feature_set'] === undefined ? '' : ` ("${info.metadata['dga.feature_set']}")`}.`,
        );
      }
      const outputs = await runBatched(session, rows, { ...info, batchSize });
      throwIfNonFinite(outputs, info.outputSize, name);
      return outputs;
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

function throwIfNonFinite(outputs: Float32Array, width: number, name: string): void {
  for (let index = 0; index < outputs.length; index += 1) {
    if (Number.isFinite(outputs[index]!)) continue;
    const row = Math.floor(index / width);
    const values = Array.from(outputs.subarray(row * width, (row + 1) * width)).join(', ');
    throw new OnnxExportError(
      'ERR_ONNX_NON_FINITE_OUTPUT',
      `${name} scored row ${row} as [${values}]: a non-finite score is no verdict. The model is broken ` +
        `(diverged weights, or an operation such as Log or Div that overflows on this input); re-train or re-export it.`,
      { row },
    );
  }
}
