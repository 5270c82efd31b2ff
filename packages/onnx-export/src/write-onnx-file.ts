import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OnnxExportError } from './onnx-export-error';

/**
 * Writes ONNX bytes atomically: a temporary file in the same folder, then a rename, so readers
 * never see half a model. Creates the folder if needed.
 *
 * @example
 * const { bytes } = await exportToOnnx(model, { metadata });
 * await writeOnnxFile('run/model.onnx', bytes);
 */
export async function writeOnnxFile(file: string, bytes: Uint8Array): Promise<void> {
  const folder = dirname(file);
  // The suffix only avoids collisions between concurrent writers; it never reaches the output.
  const temporary = join(folder, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new OnnxExportError('ERR_ONNX_IO', `Cannot write ONNX model ${file}: ${(error as Error).message}.`, { cause: error });
  }
}
