import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** A run directory being built in a temporary sibling folder, published by one rename. */
export interface PendingRunDirectory {
  /** The final path (`--out`). */
  readonly target: string;
  /** Where files are written until {@link PendingRunDirectory.commit}. */
  readonly path: string;
  /** Moves the finished directory into place, replacing a previous run at `target`. */
  commit(): Promise<void>;
  /** Removes the temporary directory (after a failure or an interrupt). Safe to call twice. */
  discard(): Promise<void>;
}

/**
 * Starts a run directory: files go to `.<name>.tmp-<pid>-<random>` next to `target`, on the same
 * filesystem, so that `commit()` is a rename and an interrupted run leaves nothing partial at
 * `target`. An existing run at `target` is replaced only once the new one is complete.
 */
export async function createRunDirectory(target: string): Promise<PendingRunDirectory> {
  const absolute = resolve(target);
  if (existsSync(absolute) && !(await stat(absolute)).isDirectory()) {
    throw new Error(`--out ${target}: exists and is not a directory`);
  }
  const parent = dirname(absolute);
  await mkdir(parent, { recursive: true });
  const path = join(parent, `.${basename(absolute)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(path);
  let settled = false;
  let discarding: Promise<void> | undefined;
  return {
    target: absolute,
    path,
    async commit() {
      if (settled) throw new Error('run directory already committed or discarded');
      settled = true;
      if (existsSync(absolute)) {
        const previous = join(parent, `.${basename(absolute)}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
        await rename(absolute, previous);
        await rename(path, absolute);
        await rm(previous, { recursive: true, force: true });
      } else {
        await rename(path, absolute);
      }
    },
    discard() {
      if (discarding !== undefined) return discarding;
      if (settled) return Promise.resolve();
      settled = true;
      discarding = rm(path, { recursive: true, force: true });
      return discarding;
    },
  };
}
