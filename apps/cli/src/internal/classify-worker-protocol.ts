import { ExitError, type ExitCodeValue } from '../exit-error';
import type { ClassifyBatchOptions } from './classify-batch';
import type { RenderedRecords } from './classify-output';
import type { InputChunk } from './input-lines';
import type { RowFormat } from './render';

/** What a classify worker scores with: the `init` message it gets once the model is read. */
export interface ClassifyWorkerData {
  /** The ONNX model's bytes. */
  model: Uint8Array;
  /** How errors name the model (its path). */
  modelName: string;
  batch: ClassifyBatchOptions;
  format: RowFormat;
  /** ONNX Runtime threads inside one operator, per worker. */
  intraOpNumThreads: number;
}

/**
 * The model to score with (first, once); a chunk of inputs to score: bytes of whole lines
 * (transferred), or inputs already read; or the request to end once the chunks sent are answered.
 */
export type ToClassifyWorker = { type: 'init'; data: ClassifyWorkerData } | { type: 'score'; id: number; chunk: InputChunk } | { type: 'close' };

/** An error as it crosses the thread boundary. */
export interface WorkerError {
  name: string;
  message: string;
  stack?: string | undefined;
  code?: string | undefined;
  exitCode?: number | undefined;
  hint?: string | undefined;
}

/** A worker's answer: ready, a scored chunk, or a failure (`id` -1: the worker could not start). */
export type FromClassifyWorker =
  | { type: 'ready' }
  | ({ type: 'scored'; id: number } & RenderedRecords)
  | { type: 'failed'; id: number; error: WorkerError };

/** The fields of `error` that survive `postMessage`, keeping what the CLI reports from. */
export function serializeWorkerError(error: unknown): WorkerError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code } = error as { code?: unknown };
  const serialized: WorkerError = { name: error.name, message: error.message, stack: error.stack };
  if (typeof code === 'string') serialized.code = code;
  if (ExitError.isInstance(error)) {
    serialized.exitCode = error.exitCode;
    serialized.hint = error.hint;
  }
  return serialized;
}

/** The error a worker reported, as the main thread throws it (an `ExitError` stays one). */
export function deserializeWorkerError(error: WorkerError): Error {
  if (error.exitCode !== undefined) {
    return new ExitError(error.exitCode as ExitCodeValue, error.message, error.hint === undefined ? undefined : { hint: error.hint });
  }
  const rebuilt = Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
  rebuilt.name = error.name;
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}
