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
  /**
   * With `ERR_FEATURES_INVALID_OPTION`: the name of the option that was refused (`table`, `field`,
   * `modelName`, `domain`…), so that an application can name its own flag or setting for it.
   */
  readonly option: string | undefined;

  constructor(code: FeaturesErrorCode, message: string, options?: { input?: string; option?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    // A non-enumerable brand, checked by isInstance across copies of the package.
    Object.defineProperty(this, marker, { value: true });
    this.code = code;
    this.input = options?.input;
    this.option = options?.option;
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

const utf8 = new TextEncoder();

/**
 * Quotes a user-supplied string for an error message, JSON-escaped. One longer than `max`
 * characters once escaped (a long host, or a binary file's bytes, each `\u0000` six characters) is
 * cut at a whole character, followed by `…` and its size in UTF-8 bytes, so messages stay short.
 *
 * @example
 * quoteInput('co.uk'); // '"co.uk"'
 * quoteInput('\u0000'.repeat(1000), 24); // '"\\u0000\\u0000\\u0000\\u0000"… (1000 bytes)'
 */
export function quoteInput(input: string, max = 120): string {
  if (input.length <= max) {
    const quoted = JSON.stringify(input);
    if (quoted.length <= max + 2) return quoted;
  }
  let shown = '';
  let length = 0;
  for (const character of input) {
    const escaped = JSON.stringify(character).length - 2;
    if (length + escaped > max) break;
    shown += character;
    length += escaped;
  }
  return `${JSON.stringify(shown)}… (${utf8.encode(input).length} bytes)`;
}
