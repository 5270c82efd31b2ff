const marker = Symbol.for('dga.onnx-export.error');

/** Every `code` an {@link OnnxExportError} can carry. */
export type OnnxExportErrorCode =
  /** A layer class, a layer option or an activation that has no ONNX converter here. */
  | 'ERR_ONNX_UNSUPPORTED_LAYER'
  /** A model shape the exporter cannot express: several inputs/outputs, a branching graph, input rank ≠ 2. */
  | 'ERR_ONNX_UNSUPPORTED_MODEL'
  /** The model has no layers, no input shape, or a layer whose weights were never created. */
  | 'ERR_ONNX_MODEL_NOT_BUILT'
  /** A weight holds NaN or ±Infinity (a diverged training run). */
  | 'ERR_ONNX_INVALID_WEIGHTS'
  /** ONNX Runtime and tfjs disagree by more than the tolerance on the parity inputs. */
  | 'ERR_ONNX_PARITY'
  /** A bad option value (tolerance, parityInputs length, batchSize, threads, metadata). */
  | 'ERR_ONNX_INVALID_OPTION'
  /** Bytes that are not an ONNX model, or one without a single float `[N, n]` input and `[N, k]` output. */
  | 'ERR_ONNX_INVALID_MODEL'
  /** A well-formed ONNX model that is not a DGA classifier: wrong output width, input width or metadata. */
  | 'ERR_ONNX_MODEL_CONTRACT'
  /** Rows given to a classifier do not match the model's feature count. */
  | 'ERR_ONNX_SHAPE_MISMATCH'
  /** The model scored a row as NaN or ±Infinity (`row` set): a broken model, never a verdict. */
  | 'ERR_ONNX_NON_FINITE_OUTPUT'
  /** ONNX Runtime failed to load or run a model. */
  | 'ERR_ONNX_RUNTIME'
  /** Reading or writing an `.onnx` file failed. */
  | 'ERR_ONNX_IO'
  /** The classifier was used after `dispose()`. */
  | 'ERR_ONNX_DISPOSED';

/** Extra facts an {@link OnnxExportError} may carry. */
export interface OnnxExportErrorOptions {
  cause?: unknown;
  /** The tfjs layer name, for layer errors. */
  layerName?: string;
  /** The tfjs layer class (`Dense`, `Conv2D`…), for layer errors. */
  layerClassName?: string;
  /** Index of the offending row within the rows given to `predict`, for `ERR_ONNX_NON_FINITE_OUTPUT`. */
  row?: number;
}

/**
 * The one error class of `@dga/onnx-export`. Branch on {@link OnnxExportError.code}; use
 * {@link OnnxExportError.isInstance} rather than `instanceof` (two installed copies of the package
 * would break `instanceof`).
 *
 * @example
 * try { await exportToOnnx(model); } catch (error) {
 *   if (OnnxExportError.isInstance(error) && error.code === 'ERR_ONNX_UNSUPPORTED_LAYER') {
 *     console.error(`cannot export layer ${error.layerName}`);
 *   }
 * }
 */
export class OnnxExportError extends Error {
  override readonly name: string = 'OnnxExportError';
  readonly code: OnnxExportErrorCode;
  /** The tfjs layer name, for layer errors. */
  readonly layerName: string | undefined;
  /** The tfjs layer class, for layer errors. */
  readonly layerClassName: string | undefined;
  /** Index of the offending row within the rows given to `predict`, for `ERR_ONNX_NON_FINITE_OUTPUT`. */
  readonly row: number | undefined;

  constructor(code: OnnxExportErrorCode, message: string, options?: OnnxExportErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.layerName = options?.layerName;
    this.layerClassName = options?.layerClassName;
    this.row = options?.row;
    // Set in the constructor rather than as a computed class field, which isolated declarations
    // (the d.ts build) cannot express.
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for an `OnnxExportError` (or subclass) from any copy of this package. */
  static isInstance(error: unknown): error is OnnxExportError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** Where tfjs and ONNX Runtime disagreed most, carried by {@link OnnxParityError}. */
export interface ParityFailure {
  /** Rows compared. */
  rows: number;
  /** The largest absolute difference found. */
  maxAbsDiff: number;
  /** The largest `|tfjs - ORT| / max(1, |tfjs|)` found; this exceeded the tolerance. */
  maxScaledDiff: number;
  /** The tolerance it exceeded. */
  tolerance: number;
  /** Row index (into the compared rows) and output column of the largest difference. */
  row: number;
  column: number;
  /** The features of that row, all of them (the message shows the first few of a wide row); set by `exportToOnnx`. */
  input?: number[];
}

/**
 * Thrown by `exportToOnnx` with code `ERR_ONNX_PARITY` when ONNX Runtime's outputs differ from
 * tfjs `predict` by more than the tolerance. No bytes are returned, so nothing gets written.
 *
 * @example
 * catch (error) { if (OnnxParityError.isInstance(error)) console.error(error.parity.maxAbsDiff); }
 */
export class OnnxParityError extends OnnxExportError {
  override readonly name: string = 'OnnxParityError';
  readonly parity: ParityFailure;

  constructor(message: string, parity: ParityFailure, options?: OnnxExportErrorOptions) {
    super('ERR_ONNX_PARITY', message, options);
    this.parity = parity;
  }

  /** True for an `OnnxParityError` from any copy of this package. */
  static override isInstance(error: unknown): error is OnnxParityError {
    return OnnxExportError.isInstance(error) && error.code === 'ERR_ONNX_PARITY' && 'parity' in error;
  }
}

/**
 * Guard: `error` is an {@link OnnxExportError} (from any copy of this package).
 *
 * @example
 * if (isOnnxExportError(error) && error.code === 'ERR_ONNX_PARITY') process.exitCode = 1;
 */
export function isOnnxExportError(error: unknown): error is OnnxExportError {
  return OnnxExportError.isInstance(error);
}
