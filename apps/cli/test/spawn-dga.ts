import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
/** The CLI entry, run from source exactly as the root `pnpm dga` script does. */
export const mainFile: string = join(here, '..', 'src', 'main.ts');
const tsxLoader = pathToFileURL(createRequire(join(here, '..', 'package.json')).resolve('tsx').replace(/cjs\/index\.cjs$/, 'loader.mjs')).href;

/** What a finished `dga` process produced. */
export interface DgaRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runDga}. */
export interface RunDgaOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
  /** Extra `--import` modules placed before tsx. */
  imports?: string[];
  /** Called with each stderr chunk and the child, e.g. to send SIGINT at the right time. */
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
  /** Kills the process after this long (default 110 s); keep it below the test's own timeout. */
  timeoutMs?: number;
}

/** A clean environment: no DEVO_* / DGA_* from the developer's shell, HOME in the test folder. */
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('DEVO_') || key.startsWith('DGA_') || key === 'NODE_OPTIONS' || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  env['HOME'] = home;
  env['NO_COLOR'] = '1';
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

/** A running `dga` process whose stdin stays open until the test ends it. */
export interface StartedDga {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout text that `predicate` accepts (the whole output so far). */
  stdoutMatching(predicate: (stdout: string) => boolean): Promise<string>;
  /** Resolves when the process has ended. */
  readonly done: Promise<DgaRun>;
}

/**
 * Spawns the real `dga` binary (`node --conditions=@dga/source --import tsx src/main.ts …`) and
 * leaves its stdin open, for tests that feed input slowly or send signals.
 */
export function startDga(args: readonly string[], options: Omit<RunDgaOptions, 'input'>): StartedDga {
  const nodeArgs = ['--conditions=@dga/source', ...(options.imports ?? []).flatMap((file) => ['--import', file]), '--import', tsxLoader, mainFile, ...args];
  const child = spawn(process.execPath, nodeArgs, { cwd: options.cwd, env: options.env ?? cleanEnv(options.cwd), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 110_000);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of [...watchers]) watcher();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    options.onStderr?.(stderr, child);
  });
  const done = new Promise<DgaRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const watcher of [...watchers]) watcher();
      resolve({ code, signal, stdout, stderr });
    });
  });
  const stdoutMatching = (predicate: (text: string) => boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (predicate(stdout)) {
          watchers.delete(check);
          resolve(stdout);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          watchers.delete(check);
          reject(new Error(`dga ended (${child.exitCode ?? child.signalCode}) before the expected output; stdout: ${stdout}; stderr: ${stderr}`));
        }
      };
      watchers.add(check);
      check();
    });
  return { child, stdoutMatching, done };
}

/** Spawns the real `dga` binary (`node --conditions=@dga/source --import tsx src/main.ts …`). */
export function runDga(args: readonly string[], options: RunDgaOptions): Promise<DgaRun> {
  const { child, done } = startDga(args, options);
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  return done;
}
