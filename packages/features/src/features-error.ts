const marker = Symbol.for('dga.features.error');

/** Every `code` a {@link FeaturesError} can carry. */
export type FeaturesErrorCode =
  /** `extractLabel` got something that is not a URL or host with a label (empty, spaces, bad characters, a single label). */
  | 'ERR_FEATURES_INVALID_INPUT'
  /** `extractLabel` got an IP address, which has no domain label. */
  | 'ERR_FEATURES_IP_ADDRESS'
  /** `extractLabel` got a bare public suffix (`co.uk`, `gov.it`), which has no registrable label. */
  | 'ERR_FEATURES_PUBLIC_SUFFIX'
  /** A feature computation got the empty label (length 0 makes every proportion undefined). */
  | 'ERR_FEATURES_EMPTY_LABEL'
  /** An unknown feature set name. */
  | 'ERR_FEATURES_UNKNOWN_SET'
  /** A caller buffer too small for the features, or another bad option. */
  | 'ERR_FEATURES_INVALID_OPTION';

/**
 * The one error class of `@dga/features`. Branch on {@link FeaturesError.code}; use
 * {@link FeaturesError.isInstance} rather than `instanceof` (two installed copies of the package
 * would break `instanceof`).
 *
 * @example
 * try { extractLabel('co.uk'); } catch (error) {
 *   if (FeaturesError.isInstance(error) && error.code === 'ERR_FEATURES_PUBLIC_SUFFIX') { ... }
 * }
 */
export class FeaturesError extends Error {
  override readonly name: string = 'FeaturesError';
  readonly code: FeaturesErrorCode;
  /** The offending input, where there is one (a URL, host, label or option value). */
  readonly input: string | undefined;

  constructor(code: FeaturesErrorCode, message: string, options?: { input?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    // A non-enumerable brand, checked by isInstance across copies of the package.
    Object.defineProperty(this, marker, { value: true });
    this.code = code;
    this.input = options?.input;
  }

  /** True for a `FeaturesError` from any copy of this package. */
  static isInstance(error: unknown): error is FeaturesError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/**
 * Guard: `error` is a {@link FeaturesError} (from any copy of this package).
 *
 * @example
 * if (isFeaturesError(error) && error.code === 'ERR_FEATURES_IP_ADDRESS') skip();
 */
export function isFeaturesError(error: unknown): error is FeaturesError {
  return FeaturesError.isInstance(error);
}

/** Quotes a user-supplied string for an error message, truncated so messages stay short. */
export function quoteInput(input: string): string {
  const shown = input.length > 120 ? `${input.slice(0, 117)}...` : input;
  return JSON.stringify(shown);
}
