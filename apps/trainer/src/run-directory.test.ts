import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunDirectory } from './run-directory';

describe('createRunDirectory', () => {
  it('builds in a hidden sibling and publishes with one rename, replacing a previous run', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dga-run-'));
    const target = join(parent, 'latest');
    const first = await createRunDirectory(target);
    writeFileSync(join(first.path, 'a.txt'), 'first');
    expect(existsSync(target)).toBe(false);
    await first.commit();
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('first');
    const second = await createRunDirectory(target);
    writeFileSync(join(second.path, 'b.txt'), 'second');
    expect(readdirSync(target)).toEqual(['a.txt']);
    await second.commit();
    expect(readdirSync(target)).toEqual(['b.txt']);
    expect(readdirSync(parent)).toEqual(['latest']);
  });

  it('discards everything on failure, even when called twice at once', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dga-run-'));
    const run = await createRunDirectory(join(parent, 'x'));
    writeFileSync(join(run.path, 'partial'), '…');
    await Promise.all([run.discard(), run.discard()]);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('refuses a target that is a file', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dga-run-'));
    writeFileSync(join(parent, 'file'), '');
    await expect(createRunDirectory(join(parent, 'file'))).rejects.toThrow(/exists and is not a directory/);
  });
});
