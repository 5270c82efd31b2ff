const marker = Symbol.for('dga.dataset.error');

/** Every `code` a {@link DatasetError} can carry. */
export type DatasetErrorCode =
  /** The file does not exist or is not a file. */
  | 'ERR_DATASET_NOT_FOUND'
  /** The file exists but could not be read, or the download cache could not be written. */
  | 'ERR_DATASET_READ'
  /** The URL could not be reached (DNS, refused, timeout, offline). */
  | 'ERR_DATASET_UNREACHABLE'
  /** The server answered with a non-2xx status. */
  | 'ERR_DATASET_HTTP_STATUS'
  /** The download started but stopped before the end: the data would be incomplete. */
  | 'ERR_DATASET_DOWNLOAD_INTERRUPTED'
  /** The first line is not the header `host;domain;class;subclass`. */
  | 'ERR_DATASET_HEADER'
  /** Strict mode: a line is malformed (see {@link DatasetError.line}). */
  | 'ERR_DATASET_INVALID_ROW'
  /** More lines were skipped than `maxSkippedRows` or `maxSkippedFraction` allow (see {@link DatasetError.skipped}). */
  | 'ERR_DATASET_TOO_MANY_SKIPPED'
  /** An option of `readDataset` is out of range. */
  | 'ERR_DATASET_INVALID_OPTION'
  /** The `signal` fired. */
  | 'ERR_DATASET_ABORTED';

/**
 * The one error class of `@dga/dataset`. Use {@link DatasetError.isInstance} rather than
 * `instanceof` (two installed copies of the package would break `instanceof`).
 *
 * @example
 * try { for await (const row of readDataset(file, { strict: true })) use(row); }
 * catch (error) { if (DatasetError.isInstance(error)) console.error(error.code, error.line); }
 */
export class DatasetError extends Error {
  override readonly name: string = 'DatasetError';
  readonly code: DatasetErrorCode;
  /** The file path or the URL (without credentials or query) that failed. */
  readonly source: string;
  /** 1-based line number of the offending line, where there is one (the header is line 1). */
  readonly line: number | undefined;
  /** HTTP status, for `ERR_DATASET_HTTP_STATUS`. */
  readonly status: number | undefined;
  /** Lines skipped as malformed, for `ERR_DATASET_TOO_MANY_SKIPPED`. */
  readonly skipped: number | undefined;
  /**
   * For `ERR_DATASET_TOO_MANY_SKIPPED` at the end of a pass (the `maxSkippedFraction` limit): the
   * usable rows of the whole source, `0` when no line is usable (raising a limit would not help).
   * Undefined when the pass stopped early (the `maxSkippedRows` limit).
   */
  readonly rows: number | undefined;

  constructor(
    code: DatasetErrorCode,
    message: string,
    options: { source: string; line?: number; status?: number; skipped?: number; rows?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // A non-enumerable brand, checked by isInstance across copies of the package.
    Object.defineProperty(this, marker, { value: true });
    this.code = code;
    this.source = options.source;
    this.line = options.line;
    this.status = options.status;
    this.skipped = options.skipped;
    this.rows = options.rows;
  }

  /** True for a `DatasetError` from any copy of this package. */
  static isInstance(error: unknown): error is DatasetError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/**
 * Guard: `error` is a {@link DatasetError} (from any copy of this package).
 *
 * @example
 * if (isDatasetError(error) && error.code === 'ERR_DATASET_UNREACHABLE') console.error(error.message);
 */
export function isDatasetError(error: unknown): error is DatasetError {
  return DatasetError.isInstance(error);
}
