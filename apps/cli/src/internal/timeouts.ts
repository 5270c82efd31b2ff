import { ExitCode, ExitError } from '../exit-error';
import { formatDuration, parseDurationFlag } from './parse-flags';

/** The `--timeout`/`--total-timeout` flags as parsed by citty (see `timeoutArgs`). */
export interface TimeoutFlags {
  timeout?: string | undefined;
  'total-timeout'?: string | undefined;
}

/** Client timeout options from the flags, in the clients' own names. */
export interface RequestTimeouts {
  /** Connect and idle timeout of one request. */
  readonly timeoutMs: number | undefined;
  /** Deadline of one request (or of a whole query); undefined = the client's default. */
  readonly totalTimeoutMs: number | undefined;
}

/** What a client's timeout error says: which timeout expired, its value, and the request. */
export interface TimeoutFacts {
  readonly kind: 'connect' | 'idle' | 'total';
  readonly timeoutMs: number;
  readonly request: string;
}

/** Parses `--timeout` and `--total-timeout` (usage errors name the flag). */
export function timeoutsFrom(args: TimeoutFlags): RequestTimeouts {
  return {
    timeoutMs: parseDurationFlag(args.timeout, 'timeout'),
    totalTimeoutMs: parseDurationFlag(args['total-timeout'], 'total-timeout'),
  };
}

/**
 * A client's timeout error as the CLI reports it: the libraries know their option names
 * (`timeoutMs`, `totalTimeoutMs`), the CLI names its flags. Exit code 1; `cause` keeps the
 * library error for `--verbose`.
 */
export function timeoutExitError(facts: TimeoutFacts, cause: unknown): ExitError {
  const value = formatDuration(facts.timeoutMs);
  switch (facts.kind) {
    case 'total':
      return new ExitError(ExitCode.failure, `${facts.request} did not finish within --total-timeout ${value}`, {
        cause,
        hint: 'raise --total-timeout if the server is slow but working, or check the server',
      });
    case 'idle':
      return new ExitError(ExitCode.failure, `${facts.request}: no data from the server for --timeout ${value}`, {
        cause,
        hint: 'raise --timeout for a slow server, or check the server and the network',
      });
    case 'connect':
      return new ExitError(ExitCode.failure, `${facts.request}: no connection within --timeout ${value}`, {
        cause,
        hint: 'check the URL and the network, or raise --timeout',
      });
  }
}
