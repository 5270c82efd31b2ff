import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OnnxExportError } from './onnx-export-error';

/** What a path that is not a regular file is, for the message. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Writes ONNX bytes atomically: a temporary file in the same folder, then a rename, so readers
 * never see half a model. Creates the folder if needed. Only a regular file is replaced: the
 * rename would put a file in place of a device (`/dev/full`), a named pipe or a symbolic link
 * (`/dev/stdout`) rather than write through it, so those are refused (`ERR_ONNX_IO`).
 *
 * @example
 * const { bytes } = await exportToOnnx(model, { metadata });
 * await writeOnnxFile('run/model.onnx', bytes);
 */
export async function writeOnnxFile(file: string, bytes: Uint8Array): Promise<void> {
  const folder = dirname(file);
  // The suffix only avoids collisions between concurrent writers; it never reaches the output.
  const temporary = join(folder, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const existing = await lstat(file).catch(() => undefined);
  if (existing !== undefined && !existing.isFile()) {
    throw new OnnxExportError('ERR_ONNX_IO', `Cannot write ONNX model ${file}: it is ${kindOf(existing)}, which only a regular file may replace; nothing was written.`);
  }
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new OnnxExportError('ERR_ONNX_IO', `Cannot write ONNX model ${file}: ${(error as Error).message}.`, { cause: error });
  }
}
