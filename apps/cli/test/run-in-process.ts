import { Readable } from 'node:stream';
import { runCli } from '../src/cli';

/** One write of a run, in the order stdout and stderr received them. */
export interface RunWrite {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What a finished in-process `dga` run produced. */
export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  writes: RunWrite[];
}

/** A running in-process `dga`: its result, and a wait for text on stdout (no polling, no clock). */
export interface InProcessHandle {
  result: Promise<InProcessRun>;
  /** Resolves once stdout holds `text`. */
  stdoutIncludes(text: string): Promise<void>;
}

/**
 * Runs `dga argv` inside this process (`runCli` with in-memory stdout/stderr), with a clean
 * environment: only `env`, `NO_COLOR` and `HOME` set to `cwd` (so no profile file of the user).
 */
export function startInProcess(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): InProcessHandle {
  const writes: RunWrite[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  const text = (stream: RunWrite['stream']): string =>
    writes
      .filter((write) => write.stream === stream)
      .map((write) => write.text)
      .join('');
  const output = (stream: RunWrite['stream']) => ({
    write(chunk: string): boolean {
      writes.push({ stream, text: chunk });
      if (stream === 'stdout') {
        const stdout = text('stdout');
        for (const waiter of waiters.filter((item) => stdout.includes(item.text))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      return true;
    },
  });
  const result = runCli(argv, {
    stdout: output('stdout'),
    stderr: output('stderr'),
    env: { NO_COLOR: '1', HOME: options.cwd, ...options.env },
    cwd: options.cwd,
    stdin: Object.assign(Readable.from([]), { isTTY: true }),
  }).then((code) => ({ code, stdout: text('stdout'), stderr: text('stderr'), writes }));
  return {
    result,
    stdoutIncludes: (wanted) =>
      text('stdout').includes(wanted) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text: wanted, resolve })),
  };
}

/** Runs `dga argv` in this process to the end; see {@link startInProcess}. */
export function runInProcess(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<InProcessRun> {
  return startInProcess(argv, options).result;
}
