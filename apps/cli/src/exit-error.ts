/**
 * Exit codes of `dga`: 0 success, 1 runtime failure, 2 usage error, and 128 + the signal number
 * when a signal stopped the run: 129 hang-up (SIGHUP), 130 interrupted (SIGINT), 143 terminated
 * (SIGTERM), as a shell reports a process that a signal killed.
 */
export const ExitCode = {
  success: 0,
  failure: 1,
  usage: 2,
  hangup: 129,
  interrupted: 130,
  terminated: 143,
} as const;

/** One of the exit codes of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const marker = Symbol.for('dga.cli.error');
const usageMarker = Symbol.for('dga.cli.error.usage');
const interruptedMarker = Symbol.for('dga.cli.error.interrupted');

/** Every `code` an {@link ExitError} can carry; it follows the exit code. */
export type ExitErrorCode = 'ERR_CLI_FAILED' | 'ERR_CLI_USAGE' | 'ERR_CLI_INTERRUPTED';

function codeOf(exitCode: ExitCodeValue): ExitErrorCode {
  if (exitCode === ExitCode.usage) return 'ERR_CLI_USAGE';
  return exitCode === ExitCode.failure || exitCode === ExitCode.success ? 'ERR_CLI_FAILED' : 'ERR_CLI_INTERRUPTED';
}

/** True when `value` carries the `Symbol.for` marker `key`. */
function hasMarker(value: unknown, key: symbol): boolean {
  return typeof value === 'object' && value !== null && key in value;
}

/**
 * An error that ends the command with a chosen exit code and one clear line on stderr.
 * Commands throw it; only the top level (`main.ts`) calls `process.exit`.
 *
 * @example
 * throw new ExitError(2, 'unknown flag --foo for `dga classify`; see `dga classify --help`');
 */
export class ExitError extends Error {
  /** `ERR_CLI_USAGE` for exit code 2, `ERR_CLI_INTERRUPTED` for a signal's exit code, else `ERR_CLI_FAILED`. */
  readonly code: ExitErrorCode;
  readonly exitCode: ExitCodeValue;
  /** Printed under the message, e.g. how to fix it. */
  readonly hint: string | undefined;
  constructor(exitCode: ExitCodeValue, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExitError';
    this.code = codeOf(exitCode);
    this.exitCode = exitCode;
    this.hint = options?.hint;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for an `ExitError`, even from another copy of this module. */
  static isInstance(error: unknown): error is ExitError {
    return hasMarker(error, marker);
  }
}

/** A usage error: exit code 2 (unknown flag, missing file, bad value). */
export class UsageError extends ExitError {
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(ExitCode.usage, message, options);
    this.name = 'UsageError';
    Object.defineProperty(this, usageMarker, { value: true });
  }

  /** True for a `UsageError`, even from another copy of this module. */
  static override isInstance(error: unknown): error is UsageError {
    return hasMarker(error, usageMarker);
  }
}

/** The signals that stop a run, each with its exit code. */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const stopSignalExitCodes = { SIGINT: ExitCode.interrupted, SIGTERM: ExitCode.terminated, SIGHUP: ExitCode.hangup } as const;

/**
 * The run was stopped by a signal: exit code 130 for SIGINT (the default), 143 for SIGTERM, 129
 * for SIGHUP.
 *
 * @example
 * controller.abort(new InterruptedError('terminated', { signal: 'SIGTERM' }));
 */
export class InterruptedError extends ExitError {
  /** The signal that stopped the run. */
  readonly signal: StopSignal;
  constructor(message = 'interrupted', options?: { cause?: unknown; signal?: StopSignal }) {
    const signal = options?.signal ?? 'SIGINT';
    super(stopSignalExitCodes[signal], message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InterruptedError';
    this.signal = signal;
    Object.defineProperty(this, interruptedMarker, { value: true });
  }

  /** True for an `InterruptedError`, even from another copy of this module. */
  static override isInstance(error: unknown): error is InterruptedError {
    return hasMarker(error, interruptedMarker);
  }

  /**
   * The error ending a run stopped through `signal`, with the exit code of the signal its reason
   * names (`main.ts` aborts with an `InterruptedError`); SIGINT when the reason names none.
   */
  static fromSignal(signal: AbortSignal, message: string, cause?: unknown): InterruptedError {
    const named = (signal.reason as { signal?: unknown } | null | undefined)?.signal;
    const received: StopSignal = named === 'SIGTERM' || named === 'SIGHUP' ? named : 'SIGINT';
    return new InterruptedError(message, { ...(cause === undefined ? {} : { cause }), signal: received });
  }
}

/** True when `error` is an abort (an `AbortError` or the reason of an aborted signal). */
export function isAbortError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  const code = (error as { code?: unknown }).code;
  return name === 'AbortError' || code === 'ABORT_ERR' || code === 'ERR_ABORTED' || InterruptedError.isInstance(error);
}
