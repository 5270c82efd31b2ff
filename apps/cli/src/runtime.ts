import type { CommandContext } from 'citty';
import { ExitCode, ExitError } from './exit-error';
import type { Logger } from './logger';
import type { ProgressRenderer } from './progress';

/** A writable text stream (stdout/stderr or a test double). */
export interface TextOutput {
  /** Text, or its UTF-8 bytes (what `dga classify`'s worker threads send). */
  write(chunk: string | Uint8Array): boolean;
  once?(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** What the top level hands every command: streams, logger, progress, the interrupt signal. */
export interface CommandRuntime {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly logger: Logger;
  readonly progress: ProgressRenderer;
  /** Aborted on SIGINT: long operations stop promptly and clean up. */
  readonly signal: AbortSignal;
  /** Colors allowed on stdout (a TTY and no `NO_COLOR`). */
  readonly color: boolean;
  /** The command path, e.g. `dga models list`, for messages. */
  readonly commandPath: string;
}

/** The runtime of a command, from citty's context (passed as `data` by the top level). */
export function runtimeOf(context: CommandContext<never> | { data?: unknown }): CommandRuntime {
  const data: unknown = context.data;
  if (typeof data !== 'object' || data === null || !('logger' in data)) {
    throw new Error('dga command run without its runtime (call runCli, not citty directly)');
  }
  return data as CommandRuntime;
}

/**
 * Writes to stdout, waiting for `drain` when the buffer is full (back-pressure). A write that
 * fails at once (a full disk: ENOSPC) is a runtime error naming stdout; one reported later
 * through the stream's `error` event is handled by `main.ts`.
 */
export async function writeOut(output: TextOutput, text: string | Uint8Array): Promise<void> {
  let flushed: boolean;
  try {
    flushed = output.write(text);
  } catch (error) {
    throw new ExitError(ExitCode.failure, `cannot write the results to stdout (${(error as Error).message})`, {
      cause: error,
      hint: 'check that where stdout goes has free space and is writable',
    });
  }
  if (!flushed && output.once !== undefined) {
    await new Promise<void>((resolve) => output.once!('drain', resolve));
  }
}
