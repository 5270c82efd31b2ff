import { Readable } from 'node:stream';
import { runCli } from '../src/cli';

/** One write of a run, in the order stdout and stderr received them. */
export interface RunWrite {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What an in-process `dga` run produced. */
export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Every write to stdout and stderr, in order (to check what was printed before what). */
  writes: RunWrite[];
}

/** A stdout/stderr stand-in that keeps what was written in `text`. */
export function sink(): { write(chunk: string | Uint8Array): boolean; text: string } {
  const decoder = new TextDecoder();
  return {
    text: '',
    write(chunk: string | Uint8Array) {
      this.text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      return true;
    },
  };
}

/** A running in-process `dga`: its result, and a wait for text on stdout (no polling, no clock). */
export interface InProcessHandle {
  result: Promise<InProcessRun>;
  /** Resolves once stdout holds `text`. */
  stdoutIncludes(text: string): Promise<void>;
}

/**
 * Starts `dga argv` in this process (no spawn): stdout and stderr captured, `NO_COLOR`, `HOME`
 * set to `cwd`, an empty TTY stdin.
 */
export function startCliInProcess(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): InProcessHandle {
  const writes: RunWrite[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  const text = (stream: RunWrite['stream']): string =>
    writes
      .filter((write) => write.stream === stream)
      .map((write) => write.text)
      .join('');
  const output = (stream: RunWrite['stream']) => ({
    write(chunk: string | Uint8Array): boolean {
      // `dga classify` writes whole rows as UTF-8 bytes: each chunk decodes on its own.
      writes.push({ stream, text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8') });
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
    env: { NO_COLOR: '1', HOME: cwd, ...env },
    cwd,
    stdin: Object.assign(Readable.from([]), { isTTY: true }),
  }).then((code) => ({ code, stdout: text('stdout'), stderr: text('stderr'), writes }));
  return {
    result,
    stdoutIncludes: (wanted) =>
      text('stdout').includes(wanted) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text: wanted, resolve })),
  };
}

/** Runs `dga argv` in this process to the end; see {@link startCliInProcess}. */
export function runCliInProcess(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<InProcessRun> {
  return startCliInProcess(argv, cwd, env).result;
}
