import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OnnxExportError } from './onnx-export-error';
import { writeOnnxFile } from './write-onnx-file';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'onnx-write-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('writeOnnxFile', () => {
  it('writes the bytes, creating folders, and leaves no temporary file', async () => {
    const file = join(folder, 'run', 'model.onnx');
    await writeOnnxFile(file, new Uint8Array([1, 2, 3]));
    expect(Array.from(await readFile(file))).toEqual([1, 2, 3]);
    expect(await readdir(join(folder, 'run'))).toEqual(['model.onnx']);
  });

  it('replaces an existing file whole', async () => {
    const file = join(folder, 'model.onnx');
    await writeFile(file, 'old content that is longer');
    await writeOnnxFile(file, new Uint8Array([9]));
    expect(Array.from(await readFile(file))).toEqual([9]);
  });

  it('fails with ERR_ONNX_IO and cleans up when the target is a folder', async () => {
    const error = await writeOnnxFile(folder, new Uint8Array([1])).catch((caught: unknown) => caught);
    expect(OnnxExportError.isInstance(error) && error.code).toBe('ERR_ONNX_IO');
    expect((await readdir(join(folder, '..'))).filter((name) => name.endsWith('.tmp') && name.includes('onnx-write'))).toEqual([]);
  });
});
