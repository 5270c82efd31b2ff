import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
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

  it('refuses a symbolic link and a named pipe (as it would a device), leaving them in place', async () => {
    const target = join(folder, 'real.onnx');
    await writeFile(target, 'real');
    const link = join(folder, 'link.onnx');
    await symlink(target, link);
    const linkError = await writeOnnxFile(link, new Uint8Array([1])).catch((caught: unknown) => caught);
    expect(OnnxExportError.isInstance(linkError) && linkError.code).toBe('ERR_ONNX_IO');
    expect((linkError as Error).message).toMatch(/link\.onnx: it is a symbolic link, which only a regular file may replace; nothing was written\.$/);
    expect(await readlink(link)).toBe(target);
    expect(await readFile(target, 'utf8')).toBe('real');
    const pipe = join(folder, 'pipe.onnx');
    execFileSync('mkfifo', [pipe]);
    const pipeError = await writeOnnxFile(pipe, new Uint8Array([1])).catch((caught: unknown) => caught);
    expect((pipeError as Error).message).toMatch(/it is a named pipe/);
    expect((await lstat(pipe)).isFIFO()).toBe(true);
    expect((await readdir(folder)).sort()).toEqual(['link.onnx', 'pipe.onnx', 'real.onnx']);
  });

  it('fails with ERR_ONNX_IO and cleans up when the target is a folder', async () => {
    const error = await writeOnnxFile(folder, new Uint8Array([1])).catch((caught: unknown) => caught);
    expect(OnnxExportError.isInstance(error) && error.code).toBe('ERR_ONNX_IO');
    expect((await readdir(join(folder, '..'))).filter((name) => name.endsWith('.tmp') && name.includes('onnx-write'))).toEqual([]);
  });
});
