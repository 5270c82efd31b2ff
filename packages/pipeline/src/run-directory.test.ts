import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRunDirectory, RunDirectoryError, type CreateRunDirectoryOptions } from './run-directory';

/** A parent folder per test, with its own `cwd` and `home` so nothing real is ever at stake. */
function sandbox(): { parent: string; options: CreateRunDirectoryOptions } {
  const root = mkdtempSync(join(tmpdir(), 'dga-run-'));
  const parent = join(root, 'work');
  mkdirSync(join(root, 'home', 'user'), { recursive: true });
  mkdirSync(join(parent, 'here'), { recursive: true });
  return { parent, options: { cwd: join(parent, 'here'), home: join(root, 'home', 'user') } };
}

/** Writes what the trainer writes: enough for the folder to be recognised as a previous run. */
function writeRun(directory: string, marker: string): void {
  mkdirSync(join(directory, 'tfjs'), { recursive: true });
  writeFileSync(join(directory, 'model.onnx'), marker);
  writeFileSync(join(directory, 'tfjs', 'model.json'), '{}');
  writeFileSync(join(directory, 'model-card.json'), JSON.stringify({ producedBy: '@dga/trainer 0.1.0' }));
  writeFileSync(join(directory, 'metrics.json'), '{}');
}

async function refusal(target: string, options: CreateRunDirectoryOptions): Promise<RunDirectoryError> {
  const error: unknown = await createRunDirectory(target, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!RunDirectoryError.isInstance(error)) throw new Error(`expected a RunDirectoryError, got ${String(error)}`);
  return error;
}

function deadPid(): number {
  // A process that has exited: its pid names no live process (pids are not reused this fast).
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('createRunDirectory', () => {
  it('builds in a hidden sibling and publishes with one rename, replacing a previous run', async () => {
    const { parent, options } = sandbox();
    const target = join(parent, 'latest');
    const first = await createRunDirectory(target, options);
    await first.write('model-card.json', JSON.stringify({ producedBy: '@dga/trainer test' }));
    await first.write('model.onnx', 'first');
    expect(existsSync(target)).toBe(false);
    await first.commit();
    expect(readFileSync(join(target, 'model.onnx'), 'utf8')).toBe('first');
    const second = await createRunDirectory(target, options);
    await second.write('model-card.json', JSON.stringify({ producedBy: '@dga/trainer test' }));
    await second.write('metrics.json', 'second');
    expect(readdirSync(target).sort()).toEqual(['model-card.json', 'model.onnx']);
    await second.commit();
    expect(readdirSync(target).sort()).toEqual(['metrics.json', 'model-card.json']);
    expect(readdirSync(parent).sort()).toEqual(['here', 'latest']);
  });

  it('discards everything on failure, even when called twice at once', async () => {
    const { parent, options } = sandbox();
    const run = await createRunDirectory(join(parent, 'x'), options);
    await run.write('model.onnx', '…');
    await Promise.all([run.discard(), run.discard()]);
    expect(readdirSync(parent)).toEqual(['here']);
  });

  it('waits for writes in flight before removing the folder', async () => {
    const { parent, options } = sandbox();
    const run = await createRunDirectory(join(parent, 'x'), options);
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Like saveModel: it creates its folder, then writes into it.
    const writing = run.write('tfjs', async (folder) => {
      await gate;
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'model.json'), '{}');
    });
    const discarding = run.discard();
    // Had discard not waited, its rm would be done by now, and the write would recreate the folder.
    await Promise.race([discarding, delay(200)]);
    release();
    await Promise.all([writing, discarding]);
    expect(readdirSync(parent)).toEqual(['here']);
    await expect(run.write('model.onnx', 'late')).rejects.toThrow(/already committed or discarded/);
  });

  it('accepts a new path, an empty folder and a previous run', async () => {
    const { parent, options } = sandbox();
    mkdirSync(join(parent, 'empty'));
    writeRun(join(parent, 'previous'), 'old');
    for (const name of ['new/deeper', 'empty', 'previous']) {
      const run = await createRunDirectory(join(parent, name), options);
      await run.discard();
    }
    expect(readFileSync(join(parent, 'previous', 'model.onnx'), 'utf8')).toBe('old');
  });

  it('refuses a file or a folder that is not a previous run, naming it and what it holds, and touches nothing', async () => {
    const { parent, options } = sandbox();
    writeFileSync(join(parent, 'file'), 'keep');
    const file = await refusal(join(parent, 'file'), options);
    expect(file.code).toBe('ERR_TRAINER_OUT_NOT_A_RUN');
    expect(file.message).toBe(`${join(parent, 'file')} is not a folder, so not a previous run directory; it is replaced only when asked to`);

    mkdirSync(join(parent, 'runs', 'latest'), { recursive: true });
    writeRun(join(parent, 'runs', 'latest'), 'a run');
    writeFileSync(join(parent, 'runs', 'notes.txt'), 'mine');
    const runs = await refusal(join(parent, 'runs'), options);
    expect(runs.code).toBe('ERR_TRAINER_OUT_NOT_A_RUN');
    expect(runs.message).toContain('a folder that is not a previous run directory (it holds latest/, notes.txt)');

    // A run with a foreign file in it is not replaced either.
    writeRun(join(parent, 'edited'), 'a run');
    writeFileSync(join(parent, 'edited', 'analysis.ipynb'), 'mine');
    expect((await refusal(join(parent, 'edited'), options)).message).toContain('(it holds analysis.ipynb)');
    // Nor a folder with run file names but no model card of the trainer.
    mkdirSync(join(parent, 'lookalike'));
    writeFileSync(join(parent, 'lookalike', 'model.onnx'), 'not ours');
    expect((await refusal(join(parent, 'lookalike'), options)).code).toBe('ERR_TRAINER_OUT_NOT_A_RUN');

    expect(readFileSync(join(parent, 'file'), 'utf8')).toBe('keep');
    expect(readdirSync(join(parent, 'runs')).sort()).toEqual(['latest', 'notes.txt']);
    expect(readdirSync(parent).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('replaces a file or a foreign folder with overwrite, once the new run is complete', async () => {
    const { parent, options } = sandbox();
    writeFileSync(join(parent, 'file'), 'old');
    mkdirSync(join(parent, 'folder'));
    writeFileSync(join(parent, 'folder', 'notes.txt'), 'old');
    for (const name of ['file', 'folder']) {
      const run = await createRunDirectory(join(parent, name), { ...options, overwrite: true });
      await run.write('model.onnx', 'new');
      expect(existsSync(join(parent, name, 'model.onnx'))).toBe(false);
      await run.commit();
      expect(readdirSync(join(parent, name))).toEqual(['model.onnx']);
    }
  });

  it('never replaces the working directory, home, /, their parents or a git repository, even with overwrite', async () => {
    const { parent, options } = sandbox();
    const home = options.home!;
    mkdirSync(join(parent, 'repo', '.git'), { recursive: true });
    mkdirSync(join(parent, 'projects', 'app', '.git'), { recursive: true });
    const cases: [string, RegExp][] = [
      [options.cwd!, /it is the working directory/],
      [parent, /it contains the working directory/],
      [home, /it is your home directory/],
      [join(home, '..'), /it contains your home directory/],
      ['/', /it is the root of the file system/],
      [join(parent, 'repo'), /it is a git repository/],
      [join(parent, 'projects'), /it contains a git repository \(.*projects\/app\/\.git\)/],
    ];
    for (const [target, reason] of cases) {
      const error = await refusal(target, { ...options, overwrite: true });
      expect(error.code, target).toBe('ERR_TRAINER_OUT_FORBIDDEN');
      expect(error.message).toMatch(reason);
      expect(error.message).toContain('a run needs a folder of its own, such as runs/latest');
    }
    // Relative targets resolve against cwd: "." is the working directory.
    expect((await refusal('.', options)).code).toBe('ERR_TRAINER_OUT_FORBIDDEN');
    expect(existsSync(join(parent, 'repo', '.git'))).toBe(true);
    expect(readdirSync(parent).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('checks the target again at commit: a folder filled meanwhile is not replaced', async () => {
    const { parent, options } = sandbox();
    const run = await createRunDirectory(join(parent, 'out'), options);
    await run.write('model.onnx', 'new');
    mkdirSync(join(parent, 'out'));
    writeFileSync(join(parent, 'out', 'notes.txt'), 'mine');
    await expect(run.commit()).rejects.toMatchObject({ code: 'ERR_TRAINER_OUT_NOT_A_RUN' });
    await run.discard();
    expect(readdirSync(join(parent, 'out'))).toEqual(['notes.txt']);
    expect(readdirSync(parent).sort()).toEqual(['here', 'out']);
  });

  it('sweeps temporary folders of dead runs, and only those', async () => {
    const { parent, options } = sandbox();
    const dead = deadPid();
    const stale = join(parent, `.latest.tmp-${dead}-0123abcd`);
    mkdirSync(join(stale, 'tfjs'), { recursive: true });
    writeFileSync(join(stale, 'model.onnx'), 'partial');
    writeFileSync(join(stale, 'tfjs', `.weights.bin.${dead}.3.tmp`), 'partial');
    const staleEmpty = join(parent, `.latest.tmp-${dead}-89abcdef`);
    mkdirSync(staleEmpty);
    const live = join(parent, `.latest.tmp-${process.pid}-0123abcd`);
    mkdirSync(live);
    const foreign = join(parent, `.latest.tmp-${dead}-fedcba98`);
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'thesis.tex'), 'not ours');
    const otherTarget = join(parent, `.other.tmp-${dead}-0123abcd`);
    mkdirSync(otherTarget);
    const run = await createRunDirectory(join(parent, 'latest'), options);
    await run.discard();
    expect(readdirSync(parent).sort()).toEqual([`.latest.tmp-${dead}-fedcba98`, `.latest.tmp-${process.pid}-0123abcd`, `.other.tmp-${dead}-0123abcd`, 'here'].sort());
  });

  it('names the run directory, the problem and the fix when the file system refuses a write', async () => {
    const { parent, options } = sandbox();
    writeFileSync(join(parent, 'file'), '');
    const underFile = await refusal(join(parent, 'file', 'run'), options);
    expect(underFile.code).toBe('ERR_TRAINER_OUT_WRITE');
    expect(underFile.message).toMatch(new RegExp(`^cannot write the run directory ${join(parent, 'file', 'run')}: .+ \\((EEXIST|ENOTDIR)\\); write the run to a writable folder on a disk with free space$`));

    const run = await createRunDirectory(join(parent, 'full'), options);
    const full = Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const error: unknown = await run.write('model.onnx', () => Promise.reject(full)).catch((caught: unknown) => caught);
    expect(RunDirectoryError.isInstance(error)).toBe(true);
    expect((error as RunDirectoryError).message).toBe(
      `cannot write the run directory ${join(parent, 'full')}: no space left on device (ENOSPC); write the run to a writable folder on a disk with free space`,
    );
    expect((error as RunDirectoryError).cause).toBe(full);
    await run.discard();
  });

  it('removes its temporary folder when the process exits before discard (a second Ctrl-C)', () => {
    const { parent } = sandbox();
    const script = [
      `const { createRunDirectory } = await import(${JSON.stringify(new URL('./run-directory.ts', import.meta.url).href)});`,
      `const run = await createRunDirectory(${JSON.stringify(join(parent, 'out'))});`,
      `await run.write('model.onnx', 'partial');`,
      'process.exit(130);',
    ].join('\n');
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx').replace(/cjs\/index\.cjs$/, 'loader.mjs')).href;
    const child = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { cwd: parent, encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(130);
    expect(readdirSync(parent)).toEqual(['here']);
  }, 60_000);
});
