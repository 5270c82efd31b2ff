import { Readable } from 'node:stream';
import { runCli } from '../src/cli';

/** What an in-process `dga` run produced. */
export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stdout/stderr stand-in that keeps what was written in `text`. */
export function sink(): { write(chunk: string): boolean; text: string } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

/**
 * Runs `dga argv` in this process (no spawn): stdout and stderr captured, `NO_COLOR`, `HOME` set
 * to `cwd`, an empty TTY stdin.
 */
export async function runCliInProcess(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<InProcessRun> {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(argv, { stdout, stderr, env: { NO_COLOR: '1', HOME: cwd, ...env }, cwd, stdin: Object.assign(Readable.from([]), { isTTY: true }) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
