const marker = Symbol.for('dga.devo-sandbox.error');
const linqMarker = Symbol.for('dga.devo-sandbox.error.linq-query');

/** Error codes of `@dga/devo-sandbox`. */
export type DevoSandboxErrorCode =
  | 'ERR_SANDBOX_LINQ_SYNTAX'
  | 'ERR_SANDBOX_LINQ_UNKNOWN_FUNCTION'
  | 'ERR_SANDBOX_LINQ_UNKNOWN_FIELD'
  | 'ERR_SANDBOX_LINQ_UNKNOWN_TABLE'
  | 'ERR_SANDBOX_LINQ_TYPE'
  | 'ERR_SANDBOX_LINQ_ARITY'
  | 'ERR_SANDBOX_LINQ_RANGE'
  | 'ERR_SANDBOX_MODEL_NOT_FOUND'
  | 'ERR_SANDBOX_MODEL_MISMATCH'
  | 'ERR_SANDBOX_MODEL_RUN'
  | 'ERR_SANDBOX_TABLE_INPUT';

/**
 * Base class of every error the sandbox throws. Use {@link isDevoSandboxError} rather than
 * `instanceof` across package copies.
 */
export class DevoSandboxError extends Error {
  readonly code: DevoSandboxErrorCode;

  constructor(code: DevoSandboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DevoSandboxError';
    this.code = code;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any `DevoSandboxError`, even from another copy of this package. */
  static isInstance(error: unknown): error is DevoSandboxError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** A position in a LINQ query, 1-based. */
export interface QueryPosition {
  readonly line: number;
  readonly column: number;
  /** 0-based character offset in the query, when known. */
  readonly offset?: number;
}

/** Devo's error kind for a failed launch (the 4th item of its error `object`). */
export type LinqErrorKind = 'QUERY_PARSING_ERROR' | 'MISSING_RESOURCE';

/**
 * A query that Devo would refuse to launch: syntax error, unknown table, field or function,
 * type error, wrong arity, or an `mlevalmodel` whose model is missing or does not fit.
 * The sandbox answers it with the Query API's 500 "Error Launching Query" body.
 *
 * @example
 * try { await runLinqQuery('from t select lenght(x) as n', context); }
 * catch (error) { if (LinqQueryError.isInstance(error)) console.log(error.line, error.column); }
 */
export class LinqQueryError extends DevoSandboxError {
  readonly line: number;
  readonly column: number;
  /** 0-based character offset in the query, when known. */
  readonly offset: number | undefined;
  readonly kind: LinqErrorKind;
  /** The message without the position prefix. */
  readonly detail: string;

  constructor(
    code: DevoSandboxErrorCode,
    detail: string,
    position: QueryPosition,
    options?: { cause?: unknown; kind?: LinqErrorKind },
  ) {
    super(code, `line ${position.line}:${position.column}: ${detail}`, options);
    this.name = 'LinqQueryError';
    this.line = position.line;
    this.column = position.column;
    this.offset = position.offset;
    this.detail = detail;
    this.kind =
      options?.kind ??
      (code === 'ERR_SANDBOX_LINQ_UNKNOWN_TABLE' || code === 'ERR_SANDBOX_MODEL_NOT_FOUND'
        ? 'MISSING_RESOURCE'
        : 'QUERY_PARSING_ERROR');
    Object.defineProperty(this, linqMarker, { value: true });
  }

  /** True for a `LinqQueryError`, even from another copy of this package. */
  static override isInstance(error: unknown): error is LinqQueryError {
    return typeof error === 'object' && error !== null && linqMarker in error;
  }
}

/** Guard for {@link DevoSandboxError}. */
export function isDevoSandboxError(error: unknown): error is DevoSandboxError {
  return DevoSandboxError.isInstance(error);
}
