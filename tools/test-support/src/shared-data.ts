import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The folder of the real labelled data: `$DGA_SHARED_DATA`, else `<repo>/../shared/data`.
 * It is never copied into the repo.
 */
export function sharedDataDir(): string {
  return process.env['DGA_SHARED_DATA'] ?? join(repoRoot, '..', 'shared', 'data');
}

/** Absolute path of a file in {@link sharedDataDir}, e.g. `sample-small.csv`. */
export function sharedDataFile(name: 'dga-training.csv' | 'sample-small.csv'): string {
  return join(sharedDataDir(), name);
}

/**
 * Decides whether a test on the real data runs. Returns `undefined` when the file exists.
 * When it is absent: in CI (`CI=true`) it throws, because CI always has the data; elsewhere it
 * returns the reason to skip, for `it.skipIf(reason)` / `describe.skipIf`.
 *
 * @example
 * const skip = requireSharedData('sample-small.csv');
 * describe.skipIf(skip)('on the real sample', () => { ... });
 */
export function requireSharedData(name: 'dga-training.csv' | 'sample-small.csv'): string | undefined {
  const file = sharedDataFile(name);
  if (existsSync(file)) return undefined;
  const reason = `skipped: real data ${file} is absent (set DGA_SHARED_DATA to the folder holding ${name})`;
  if (process.env['CI'] === 'true' || process.env['CI'] === '1') {
    throw new Error(`CI must have the shared data, but ${file} is missing`);
  }
  console.warn(reason);
  return reason;
}
