import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTextAtomic } from './write-text-atomic';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'write-text-atomic-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('writeTextAtomic', () => {
  it('creates the folder, replaces the file and leaves no temporary file', () => {
    const file = join(directory, 'nested', 'results.json');
    writeTextAtomic(file, 'first\n');
    writeTextAtomic(file, 'second\n');
    expect(readFileSync(file, 'utf8')).toBe('second\n');
    expect(readdirSync(join(directory, 'nested'))).toEqual(['results.json']);
  });

  it('keeps the old file and removes the temporary one when the rename fails', () => {
    // A folder where the file should be: writing the temporary file works, the rename does not.
    const target = join(directory, 'taken');
    writeTextAtomic(join(target, 'inner.txt'), 'kept\n');
    expect(() => writeTextAtomic(target, 'new\n')).toThrow();
    expect(readdirSync(directory).filter((name) => name.startsWith('taken'))).toEqual(['taken']);
    expect(readFileSync(join(target, 'inner.txt'), 'utf8')).toBe('kept\n');
  });
});
