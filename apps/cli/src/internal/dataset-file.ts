import { statSync } from 'node:fs';
import { UsageError } from '../exit-error';

/**
 * Checks, before any work, that a dataset path names a file: a missing path or a folder is a
 * usage error (exit 2) naming `shown` (the flag or config key and its value) and `path`.
 * URLs are not checked here (they are fetched later).
 */
export function checkDatasetFile(path: string, shown: string, hint: string): void {
  if (/^https?:\/\//i.test(path)) return;
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) throw new UsageError(`${shown}: no such file (looked at ${path})`, { hint });
  if (!stats.isFile()) throw new UsageError(`${shown}: ${stats.isDirectory() ? 'is a folder' : 'is not a regular file'}, not a dataset file (looked at ${path})`, { hint });
}
