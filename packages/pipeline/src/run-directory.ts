import { randomBytes } from 'node:crypto';
import { rmSync, type Dirent } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, parse, resolve, sep } from 'node:path';

/** The files a run directory holds, and nothing else. */
export const RUN_ARTIFACTS: readonly string[] = ['model.onnx', 'tfjs', 'model-card.json', 'metrics.json', 'report.html'];

/** The files of the `tfjs/` folder of a run (what `@dga/model`'s `saveModel` writes). */
const TFJS_FILES: readonly string[] = ['model.json', 'weights.bin', 'model-card.json'];

/** A temporary file of an atomic write (`.model.onnx.<pid>.<suffix>.tmp`), as left by a killed run. */
const WRITE_TEMPORARY = /^\.(?:model\.onnx|model\.json|weights\.bin|model-card\.json)\.\d+\.[0-9a-f]+\.tmp$/;

/** The name of a sibling folder of `target` made by this module: `.<name>.tmp-<pid>-<hex>` or `.<name>.old-<pid>-<hex>`. */
const SIBLING = /^(tmp|old)-(\d+)-[0-9a-f]{8}$/;

/** Codes of {@link RunDirectoryError}. */
export type RunDirectoryErrorCode =
  /** The target exists and is not a previous run (a file, or a folder with other content). */
  | 'ERR_TRAINER_OUT_NOT_A_RUN'
  /** The target is the working directory, home, `/`, one of their parents or holds a git repository. */
  | 'ERR_TRAINER_OUT_FORBIDDEN'
  /** The file system refused a write (read-only, full, permissions…). */
  | 'ERR_TRAINER_OUT_WRITE';

const errorMarker = Symbol.for('dga.pipeline.error.run-directory');

/** Why a run directory cannot be (re)placed at its target. The message names the path and the fix. */
export class RunDirectoryError extends Error {
  readonly code: RunDirectoryErrorCode;
  /** The run directory asked for (absolute). */
  readonly path: string;
  constructor(code: RunDirectoryErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunDirectoryError';
    this.code = code;
    this.path = path;
    Object.defineProperty(this, errorMarker, { value: true });
  }

  /** True for a `RunDirectoryError`, even from another copy of this module. */
  static isInstance(error: unknown): error is RunDirectoryError {
    return typeof error === 'object' && error !== null && errorMarker in error;
  }
}

/** Options of {@link createRunDirectory}. */
export interface CreateRunDirectoryOptions {
  /**
   * Replace `target` even when it is not a previous run (a file, or a folder with other files).
   * Never the working directory, home, `/`, a folder containing one of them, or a folder holding a
   * git repository. @default false
   */
  overwrite?: boolean;
  /** The directory the user works in, never replaced. @default process.cwd() */
  cwd?: string;
  /** The user's home directory, never replaced. @default os.homedir() */
  home?: string;
}

/** A run directory being built in a temporary sibling folder, published by one rename. */
export interface PendingRunDirectory {
  /** The final path (`config.out`). */
  readonly target: string;
  /** Where files are written until {@link PendingRunDirectory.commit}. */
  readonly path: string;
  /**
   * Writes `name` inside the temporary folder: `contents` as is, or through a writer given the
   * file's path. File-system errors become {@link RunDirectoryError} naming `target`; aborts pass.
   */
  write(name: string, contents: string | Uint8Array | ((file: string) => Promise<void>), options?: { signal?: AbortSignal }): Promise<void>;
  /** Moves the finished directory into place, replacing a previous run at `target` (checked again). */
  commit(): Promise<void>;
  /**
   * Removes the temporary directory (after a failure or an interrupt), once the writes in flight
   * have settled. Safe to call twice; if the process exits first, the folder is removed on exit.
   */
  discard(): Promise<void>;
}

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

/** The file-system problem in words: `EROFS: read-only file system, mkdir '…'` → `read-only file system (EROFS)`. */
function describeErrno(error: unknown): string {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
      const message = current instanceof Error ? current.message : '';
      const words = message.startsWith(`${code}: `) ? message.slice(code.length + 2).split(',')[0] : undefined;
      return words === undefined || words === '' ? code : `${words} (${code})`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'AbortError' || isErrno(error, 'ABORT_ERR');
}

/** A {@link RunDirectoryError} for a failed write at `target`; aborts and our own errors pass unchanged. */
function writeError(error: unknown, target: string): unknown {
  if (isAbort(error) || RunDirectoryError.isInstance(error)) return error;
  return new RunDirectoryError(
    'ERR_TRAINER_OUT_WRITE',
    target,
    `cannot write the run directory ${target}: ${describeErrno(error)}; write the run to a writable folder on a disk with free space`,
    { cause: error },
  );
}

async function tryLstat(path: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
    throw error;
  }
}

/** `path` with symbolic links resolved as far as it exists; the missing rest is appended. */
async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT') && !isErrno(error, 'ENOTDIR')) throw error;
    const parent = dirname(path);
    return parent === path ? path : join(await realPathOf(parent), basename(path));
  }
}

function contains(ancestor: string, path: string): boolean {
  return path === ancestor || path.startsWith(ancestor.endsWith(sep) ? ancestor : ancestor + sep);
}

/**
 * The entries of `directory`, or none when it cannot be read. Enough for the walks below: what
 * cannot be listed cannot be removed either, and a parent that cannot be read fails at mkdir.
 */
async function tryReadEntries(directory: string): Promise<Dirent[]> {
  try {
    return await readdir(directory, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** The first `.git` under `directory` (symbolic links not followed), or undefined. */
async function findGitRepository(directory: string): Promise<string | undefined> {
  const pending = [directory];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const entry of await tryReadEntries(current)) {
      if (entry.name === '.git') return join(current, entry.name);
      if (entry.isDirectory()) pending.push(join(current, entry.name));
    }
  }
  return undefined;
}

/** Why `target` (real path) must never be replaced, or undefined. */
async function forbiddenReason(target: string, cwd: string, home: string): Promise<string | undefined> {
  if (parse(target).root === target) return 'it is the root of the file system';
  if (target === cwd) return 'it is the working directory';
  if (target === home) return 'it is your home directory';
  if (contains(target, cwd)) return `it contains the working directory ${cwd}`;
  if (contains(target, home)) return `it contains your home directory ${home}`;
  if ((await tryLstat(join(target, '.git'))) !== undefined) return 'it is a git repository (it holds .git)';
  return undefined;
}

/**
 * True when every entry of `directory` is one a run writes (`RUN_ARTIFACTS`, `tfjs/` files and,
 * with `partial`, temporary files of interrupted writes). A complete run also needs its
 * `model-card.json` written by the trainer.
 */
async function holdsOnlyRunFiles(directory: string, partial: boolean): Promise<boolean> {
  const allowed = (names: readonly string[], name: string) => names.includes(name) || (partial && WRITE_TEMPORARY.test(name));
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries) {
    if (!allowed(RUN_ARTIFACTS, entry.name)) return false;
    if (entry.name === 'tfjs') {
      if (!entry.isDirectory()) return false;
      const files = await readdir(join(directory, 'tfjs'), { withFileTypes: true });
      if (!files.every((file) => file.isFile() && allowed(TFJS_FILES, file.name))) return false;
    } else if (!entry.isFile()) {
      return false;
    }
  }
  if (partial) return true;
  try {
    const card = JSON.parse(await readFile(join(directory, 'model-card.json'), 'utf8')) as { producedBy?: unknown };
    return typeof card.producedBy === 'string' && (card.producedBy.startsWith('@dga/pipeline') || card.producedBy.startsWith('@dga/trainer'));
  } catch {
    return false;
  }
}

/** What is at `target`, for a message: "a file", "a folder holding notes.txt, data/ and 3 more". */
async function describeContent(target: string, isDirectory: boolean): Promise<string> {
  if (!isDirectory) return 'not a folder, so not a previous run directory';
  const entries = await readdir(target, { withFileTypes: true });
  const foreign = entries.filter((entry) => !RUN_ARTIFACTS.includes(entry.name)).map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name));
  const shown = (foreign.length === 0 ? entries.map((entry) => entry.name) : foreign).sort();
  const list = shown.length <= 3 ? shown.join(', ') : `${shown.slice(0, 3).join(', ')} and ${shown.length - 3} more`;
  return foreign.length === 0 ? `a folder that is not a complete run of the trainer (it holds ${list})` : `a folder that is not a previous run directory (it holds ${list})`;
}

/**
 * Checks that `target` may receive a run: it does not exist, is empty, or is a previous run
 * (only run artifacts, with the trainer's model card). Anything else needs `overwrite`. The
 * working directory, home, `/`, their parents and git repositories are refused even then.
 */
async function checkTarget(target: string, options: CreateRunDirectoryOptions): Promise<void> {
  const real = await realPathOf(target);
  const cwd = await realPathOf(resolve(options.cwd ?? process.cwd()));
  const home = await realPathOf(resolve(options.home ?? homedir()));
  const forbidden = await forbiddenReason(real, cwd, home);
  if (forbidden !== undefined) {
    throw new RunDirectoryError('ERR_TRAINER_OUT_FORBIDDEN', target, `refusing to replace ${target}: ${forbidden}; a run needs a folder of its own, such as runs/latest`);
  }
  const stats = await tryLstat(target);
  if (stats === undefined) return;
  if (stats.isDirectory() && ((await readdir(target)).length === 0 || (await holdsOnlyRunFiles(target, false)))) return;
  if (options.overwrite !== true) {
    throw new RunDirectoryError('ERR_TRAINER_OUT_NOT_A_RUN', target, `${target} is ${await describeContent(target, stats.isDirectory())}; it is replaced only when asked to`);
  }
  if (stats.isDirectory()) {
    const git = await findGitRepository(target);
    if (git !== undefined) {
      throw new RunDirectoryError('ERR_TRAINER_OUT_FORBIDDEN', target, `refusing to replace ${target}: it contains a git repository (${git}); a run needs a folder of its own, such as runs/latest`);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrno(error, 'ESRCH');
  }
}

/**
 * Removes the temporary siblings of `target` left by runs that died (killed, or a second Ctrl-C
 * before cleanup could finish): only folders named like ours, of a process that no longer
 * exists, holding nothing but run files. A moved-aside previous run (`.old-`) is removed only
 * when a run is in place at `target`.
 */
async function sweepStaleSiblings(target: string): Promise<void> {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.`;
  for (const entry of await tryReadEntries(parent)) {
    if (!entry.isDirectory() || !entry.name.startsWith(prefix)) continue;
    const match = SIBLING.exec(entry.name.slice(prefix.length));
    if (match === null) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || isAlive(pid)) continue;
    const path = join(parent, entry.name);
    if (match[1] === 'old' && (await tryLstat(target)) === undefined) continue;
    if (!(await holdsOnlyRunFiles(path, true))) continue;
    await rm(path, { recursive: true, force: true });
  }
}

/**
 * Starts a run directory: files go to `.<name>.tmp-<pid>-<random>` next to `target`, on the same
 * filesystem, so that `commit()` is a rename and an interrupted run leaves nothing partial at
 * `target`. An existing run at `target` is replaced only once the new one is complete.
 *
 * `target` must be new, empty or a previous run (see {@link CreateRunDirectoryOptions.overwrite});
 * temporary folders of dead runs next to it are removed first.
 *
 * @throws {RunDirectoryError} `ERR_TRAINER_OUT_NOT_A_RUN`, `ERR_TRAINER_OUT_FORBIDDEN` or
 *   `ERR_TRAINER_OUT_WRITE`.
 * @example
 * const run = await createRunDirectory('runs/latest');
 * try {
 *   await run.write('metrics.json', JSON.stringify(metrics));
 *   await run.commit();
 * } catch (error) {
 *   await run.discard();
 *   throw error;
 * }
 */
export async function createRunDirectory(target: string, options: CreateRunDirectoryOptions = {}): Promise<PendingRunDirectory> {
  const absolute = resolve(options.cwd ?? process.cwd(), target);
  const parent = dirname(absolute);
  const siblingName = (kind: 'tmp' | 'old') => join(parent, `.${basename(absolute)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const path = siblingName('tmp');
  try {
    await checkTarget(absolute, options);
    await sweepStaleSiblings(absolute);
    await mkdir(parent, { recursive: true });
    await mkdir(path);
  } catch (error) {
    throw writeError(error, absolute);
  }
  let settled = false;
  let discarding: Promise<void> | undefined;
  const writing = new Set<Promise<void>>();
  // A second Ctrl-C exits at once: remove the folder on the way out.
  const removeOnExit = () => {
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 3, retryDelay: 10 });
    } catch {
      // The next run sweeps what is left (sweepStaleSiblings).
    }
  };
  process.on('exit', removeOnExit);
  const settle = () => {
    settled = true;
    process.off('exit', removeOnExit);
  };
  return {
    target: absolute,
    path,
    async write(name, contents, writeOptions) {
      if (settled) throw new Error('run directory already committed or discarded');
      const file = join(path, name);
      const signal = writeOptions?.signal;
      const pending = (async () => {
        signal?.throwIfAborted();
        if (typeof contents === 'function') await contents(file);
        else await writeFile(file, contents, { flag: 'wx', ...(signal === undefined ? {} : { signal }) });
      })();
      writing.add(pending);
      try {
        await pending;
      } catch (error) {
        if (signal?.aborted === true) throw error;
        throw writeError(error, absolute);
      } finally {
        writing.delete(pending);
      }
    },
    async commit() {
      if (settled) throw new Error('run directory already committed or discarded');
      // Hours may have passed since the start: check again what a rename would replace.
      try {
        await checkTarget(absolute, options);
      } catch (error) {
        throw writeError(error, absolute);
      }
      settle();
      const aside = siblingName('old');
      let movedAside = false;
      try {
        if ((await tryLstat(absolute)) !== undefined) {
          await rename(absolute, aside);
          movedAside = true;
        }
        await rename(path, absolute);
      } catch (error) {
        // Put the previous run back; what a failed cleanup leaves, the next run sweeps.
        if (movedAside) await rename(aside, absolute).catch(() => undefined);
        await rm(path, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
        throw writeError(error, absolute);
      }
      if (movedAside) await rm(aside, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    },
    discard() {
      if (discarding !== undefined) return discarding;
      if (settled) return Promise.resolve();
      settle();
      // A write still running would recreate files (or the folder) behind rm: let it settle first.
      discarding = Promise.allSettled([...writing]).then(() => rm(path, { recursive: true, force: true, maxRetries: 3 }));
      return discarding;
    },
  };
}
