const marker = Symbol.for('dga.model.error');
const abortMarker = Symbol.for('dga.model.error.abort');

/** Every error code `@dga/model` throws. */
export type ModelErrorCode =
  | 'ERR_MODEL_INVALID_OPTION'
  | 'ERR_MODEL_INVALID_EXAMPLE'
  | 'ERR_MODEL_EMPTY_SPLIT'
  | 'ERR_MODEL_ABORTED'
  | 'ERR_MODEL_TRAINING_DIVERGED'
  | 'ERR_MODEL_INVALID_METRICS_INPUT'
  | 'ERR_MODEL_SAVE_FAILED'
  | 'ERR_MODEL_LOAD_FAILED';

/**
 * Base class of every error thrown by `@dga/model`. Branch on `code`, or use
 * {@link ModelError.isInstance} / {@link isModelError}, which work across duplicate installs.
 *
 * @example
 * try { await trainModel(options); } catch (error) {
 *   if (isModelError(error) && error.code === 'ERR_MODEL_ABORTED') process.exitCode = 130;
 * }
 */
export class ModelError extends Error {
  readonly code: ModelErrorCode;
  /** The file or directory involved, when there is one. */
  readonly path: string | undefined;

  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelError';
    this.code = code;
    this.path = options?.path;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any `@dga/model` error, even one created by another copy of the package. */
  static isInstance(value: unknown): value is ModelError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/**
 * Thrown when the `signal` passed to training, evaluation or saving fires. Nothing is left on
 * disk; the partially trained model is disposed. `cause` is the signal's reason.
 *
 * @example
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 1000);
 * await trainModel({ ...options, signal: controller.signal }); // throws ModelAbortError
 */
export class ModelAbortError extends ModelError {
  constructor(where: string, options?: { cause?: unknown }) {
    super('ERR_MODEL_ABORTED', `${where} was aborted by its AbortSignal; nothing was written. Re-run it to completion, or ignore this error if the cancellation was intended.`, options);
    this.name = 'ModelAbortError';
    Object.defineProperty(this, abortMarker, { value: true });
  }

  /** True for a `ModelAbortError`, even one created by another copy of the package. */
  static override isInstance(value: unknown): value is ModelAbortError {
    return typeof value === 'object' && value !== null && abortMarker in value;
  }
}

/**
 * Guard for {@link ModelError}.
 *
 * @example
 * if (isModelError(error)) console.error(error.code);
 */
export function isModelError(value: unknown): value is ModelError {
  return ModelError.isInstance(value);
}

/** Throws {@link ModelAbortError} when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted === true) throw new ModelAbortError(where, { cause: signal.reason });
}
