import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `text` to `file` atomically for the workspace's scripts (bench results, generated
 * sources, BENCHMARKS.md): a temporary file next to it, then a rename, so a killed script never
 * leaves half a file. Creates the folder if needed.
 *
 * @example
 * writeTextAtomic('bench/results.json', JSON.stringify(document, null, 2) + '\n');
 */
export function writeTextAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
