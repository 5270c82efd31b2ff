import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { runCliInProcess, sink } from '../test/run-cli-in-process';
import { runCli } from './cli';
import { MlmmNetworkError } from '@dga/mlmm-client';
import { InterruptedError } from './exit-error';

const run = runCliInProcess;

// `train` loads the training modules (tfjs) before it checks its settings: seconds on a loaded machine.
describe('runCli', { timeout: 120_000 }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dga-cli-'));

  it('fails fast on missing registration settings, before any training, leaving no run directory', async () => {
    writeFileSync(join(cwd, 'data.csv'), 'host;domain;class;subclass\ngoogle.com;google;legit;legit\n');
    const result = await run(['train', '--dataset', 'data.csv', '--out', 'run', '--register', 'm'], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Devo Model Manager settings are missing/);
    expect(existsSync(join(cwd, 'run'))).toBe(false);
    // Loading the trainer (tfjs) takes seconds on a busy machine.
  }, 60_000);

  it('names the config file and key when the training config is wrong', async () => {
    writeFileSync(join(cwd, 'train.json'), JSON.stringify({ epochs: -1 }));
    const result = await run(['train', '--config', 'train.json'], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/train\.json: "epochs": expected a positive integer, got -1/);
  });

  it('refuses a query setting the LINQ cannot hold before training, naming the config key or --register', async () => {
    writeFileSync(join(cwd, 'data.csv'), 'host;domain;class;subclass\ngoogle.com;google;legit;legit\n');
    writeFileSync(join(cwd, 'query.json'), JSON.stringify({ query: { table: 'bad table' } }));
    const config = await run(['train', '--config', 'query.json', '--dataset', 'data.csv', '--out', 'never'], cwd);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/^error: --config query\.json: "query\.table": Invalid table "bad table": use a dotted Devo table name/);
    expect(config.stderr).not.toMatch(/training|epoch/);
    const { startFakeMlmmServer } = await import('@dga/mlmm-client/testing');
    const server = await startFakeMlmmServer();
    try {
      const register = await run(['train', '--register', 'a"b', '--dataset', 'data.csv', '--out', 'never', '--mlmm-url', server.url, '--token', 'token-1'], cwd);
      expect(register.code).toBe(2);
      expect(register.stderr).toMatch(/^error: --register: "register\.name": Invalid modelName "a\\"b"/);
    } finally {
      await server.close();
    }
    expect(existsSync(join(cwd, 'never'))).toBe(false);
  }, 60_000);

  it('keeps the char features and the char preset together, naming the flag or the config key', async () => {
    const features = await run(['train', '--features', 'char', '--out', 'never'], cwd);
    expect(features.code).toBe(2);
    expect(features.stderr).toMatch(/^error: --features char needs a character preset \(char or char-average\), not the default preset/);
    writeFileSync(join(cwd, 'char.json'), JSON.stringify({ preset: 'char', featureSet: 'bigram' }));
    const config = await run(['train', '--config', 'char.json', '--out', 'never'], cwd);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/^error: "preset": "char" in char\.json needs the char features, not "featureSet": "bigram" in char\.json/);
    const average = await run(['train', '--preset', 'char-average', '--features', 'ngram', '--out', 'never'], cwd);
    expect(average.code).toBe(2);
    expect(average.stderr).toMatch(/^error: --preset char-average needs the char features, not --features ngram/);
    expect(existsSync(join(cwd, 'never'))).toBe(false);
  });

  it('refuses an export --out that is a folder, naming the file to pass instead, and leaves the folder alone', async () => {
    mkdirSync(join(cwd, 'export-model'), { recursive: true });
    writeFileSync(join(cwd, 'export-model', 'model.json'), '{}');
    mkdirSync(join(cwd, 'export-folder'), { recursive: true });
    writeFileSync(join(cwd, 'export-folder', 'keep.txt'), 'keep');
    const result = await run(['export', '--model', 'export-model', '--out', 'export-folder'], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: --out export-folder is a folder, not the file to write (pass the path of the ONNX file, for example --out export-folder/model.onnx)\n');
    expect(readdirSync(join(cwd, 'export-folder'))).toEqual(['keep.txt']);
  });

  it('refuses an export --out that is a symbolic link (as a device or pipe), before any work, leaving it in place', async () => {
    mkdirSync(join(cwd, 'export-model'), { recursive: true });
    writeFileSync(join(cwd, 'export-model', 'model.json'), '{}');
    writeFileSync(join(cwd, 'real.onnx'), 'real');
    symlinkSync(join(cwd, 'real.onnx'), join(cwd, 'link.onnx'));
    const result = await run(['export', '--model', 'export-model', '--out', 'link.onnx'], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: --out link.onnx is not a regular file (a device, named pipe or symbolic link), which export never replaces (pass the path of a new .onnx file, or of a regular one to replace)\n',
    );
    expect(lstatSync(join(cwd, 'link.onnx')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(cwd, 'real.onnx'), 'utf8')).toBe('real');
  });

  it('refuses a folder as --dataset of train and evaluate, before any work, as a usage error', async () => {
    mkdirSync(join(cwd, 'data-folder'), { recursive: true });
    const evaluate = await run(['evaluate', '--model', 'absent.onnx', '--dataset', 'data-folder'], cwd);
    expect(evaluate.code).toBe(2);
    expect(evaluate.stderr).toMatch(/^error: --dataset data-folder: is a folder, not a dataset file \(looked at .*data-folder\) \(pass a labelled CSV/);
    const train = await run(['train', '--dataset', 'data-folder', '--out', 'never'], cwd);
    expect(train.code).toBe(2);
    expect(train.stderr).toMatch(/^error: --dataset .*data-folder: is a folder, not a dataset file/);
    expect(train.stderr).not.toContain('the default is');
  });

  it('rejects a missing dataset file and a bad epoch count as usage errors', async () => {
    expect((await run(['train', '--dataset', 'absent.csv'], cwd)).stderr).toMatch(/^error: --dataset .*absent.csv: no such file/);
    expect((await run(['train', '--epochs', 'many'], cwd)).stderr).toBe('error: --epochs "many": expected an integer at least 1\n');
  });

  it('never prints the token, even in --verbose errors', async () => {
    const result = await run(['models', 'list', '--verbose', '--mlmm-url', 'http://127.0.0.1:9/mlmodelmanager', '--token', 'super-secret-token-1234'], cwd);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('super-secret-token-1234');
    expect(result.stderr).toContain('tokenFrom=***');
    // A network failure is the package's typed error: one clear message, no stack, no "bug" notice.
    expect(result.stderr).toMatch(/^error: connect ECONNREFUSED 127\.0\.0\.1:9 .*check the URL/m);
    expect(result.stderr).not.toMatch(/this is a bug| {4}at /);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('ends a run stopped by %s with exit %i', async (signal, code) => {
    const controller = new AbortController();
    controller.abort(new InterruptedError(signal === 'SIGINT' ? 'interrupted' : 'terminated', { signal }));
    const stderr = sink();
    const exitCode = await runCli(['linq', '--features', 'tutorial'], { stdout: sink(), stderr, env: { NO_COLOR: '1', HOME: cwd }, cwd, signal: controller.signal });
    expect(exitCode).toBe(code);
    expect(stderr.text).toMatch(/^error: interrupted/);
  });

  it('never echoes a token pasted into DEVO_MLMM_URL, nor a password in it', async () => {
    const result = await run(['models', 'list', '--verbose'], cwd, { DEVO_MLMM_URL: 'https://alice:pa55word@127.0.0.1:9/mlmodelmanager?token=8f14e45fceea167a', DEVO_TOKEN: 'tok-1234' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('token=***');
    expect(result.stdout + result.stderr).not.toMatch(/8f14e45f|pa55word|tok-1234/);
  });

  it.each([['linq'], ['query', '--from', 'now()-1*hour()'], ['features', 'google.com'], ['devo', 'probe']])('accepts -m for --model on %s, as on the other commands', async (...command) => {
    const result = await run([...command, '-m', 'absent.onnx'], cwd, { DEVO_API_URL: 'http://127.0.0.1:9', DEVO_TOKEN: 'tok-1234' });
    expect(result.stderr).not.toMatch(/unknown flag/);
    expect(result.stderr).toMatch(/^error: --model absent\.onnx: no such file/);
  });

  it('prints the query for the tutorial defaults', async () => {
    const result = await run(['linq', '--features', 'tutorial', '--name', 'dga_classifier_onnx'], cwd, { DEVO_DOMAIN: 'acme' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^from demo\.ecommerce\.data\n/);
    expect(result.stdout).toContain('  group by label every -\n');
    expect(result.stdout).toContain('mlevalmodel("acme", "dga_classifier_onnx", [\n      float4(float(length(label))),float4(shannonentropy(label)),');
  });

  it.each([
    [['linq', '--table', 'bad table'], {}, /^error: --table: Invalid table "bad table": use a dotted Devo table name/],
    [['linq', '--field', 'a b'], {}, /^error: --field: Invalid field "a b"/],
    [['linq', '--name', 'a"b'], {}, /^error: --name: Invalid modelName "a\\"b"/],
    [['linq', '--domain', 'x"y'], {}, /^error: --domain: Invalid domain/],
    [['linq'], { DEVO_DOMAIN: 'x"y' }, /^error: DEVO_DOMAIN: Invalid domain/],
    [['query', '--from', 'now()-1*hour()', '--table', 'bad table'], { DEVO_API_URL: 'http://127.0.0.1:9', DEVO_TOKEN: 'tok-1234' }, /^error: --table: Invalid table/],
  ])('refuses a query setting the LINQ cannot hold as a usage error naming its flag: %j', async (argv, env, message) => {
    const result = await run(argv, cwd, env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it.each([
    [['--from', '2024-13-45 10:00:00'], /^error: Invalid query option "from": "2024-13-45 10:00:00" is not a valid calendar date/],
    [['--from', '2024-01-01T00:00:00Z'], /^error: Invalid query option "from": .* looks like ISO-8601/],
    [['--from', '1700003600', '--to', '1700000000'], /^error: Invalid query option "from": 1700003600 is after "to" 1700000000/],
  ])('refuses query dates the Query API would reject as a usage error, before any request: %j', async (dates, message) => {
    const result = await run(['query', '--query', 'from demo.ecommerce.data select referralUri', ...dates], cwd, { DEVO_API_URL: 'http://127.0.0.1:9', DEVO_TOKEN: 'tok-1234' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("(--from and --to take now()-1*hour(), '2024-01-01 12:00:00' (UTC), epoch seconds");
    expect(result.stderr).not.toMatch(/retrying|ECONNREFUSED/);
  });

  it('prints one column per feature with --feature-columns, and scores each event with --per-event', async () => {
    const columns = await run(['linq', '--features', 'tutorial', '--name', 'm', '--feature-columns'], cwd, {});
    expect(columns.code).toBe(0);
    expect(columns.stdout).toContain('mlevalmodel("self", "m", [float4(length), float4(entropy), float4(vowel_proportion)])');
    const perEvent = await run(['linq', '--features', 'tutorial', '--name', 'm', '--per-event'], cwd, {});
    expect(perEvent.code).toBe(0);
    expect(perEvent.stdout).not.toContain('group by');
  });
});

describe('dga train --out: only a previous run is replaced', () => {
  /** A home with a project inside, the project being the working directory. */
  function workspace(): { home: string; cwd: string } {
    const home = mkdtempSync(join(tmpdir(), 'dga-home-'));
    const cwd = join(home, 'project');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'data.csv'), 'host;domain;class;subclass\ngoogle.com;google;legit;legit\n');
    return { home, cwd };
  }
  const train = (argv: string[], where: { home: string; cwd: string }) => run(['train', '--dataset', 'data.csv', ...argv], where.cwd, { HOME: where.home });

  it('refuses the working directory, its parents and home, even with --overwrite, before any training', async () => {
    const where = workspace();
    mkdirSync(join(where.cwd, '.git'));
    for (const [argv, reason] of [
      [['--out', '.'], 'it is the working directory'],
      [['--out', '.', '--overwrite'], 'it is the working directory'],
      [['--out', '..', '--overwrite'], 'it is your home directory'],
      [['--out', '/', '--overwrite'], 'it is the root of the file system'],
    ] as const) {
      const result = await train([...argv], where);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^error: --out: refusing to replace .*: ${reason}; a run needs a folder of its own, such as runs/latest\\n$`));
    }
    expect(readdirSync(where.cwd).sort()).toEqual(['.git', 'data.csv']);
    expect(readdirSync(where.home)).toEqual(['project']);
  }, 60_000);

  it('refuses "out": "." in a config file, naming the file', async () => {
    const where = workspace();
    writeFileSync(join(where.cwd, 'train.json'), JSON.stringify({ out: '.' }));
    const result = await train(['--config', 'train.json'], where);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: "out" in train\.json: refusing to replace .*: it is the working directory/);
  }, 60_000);

  it('refuses a folder of other runs or an existing file unless --overwrite, and says how', async () => {
    const where = workspace();
    mkdirSync(join(where.cwd, 'runs', 'latest'), { recursive: true });
    writeFileSync(join(where.cwd, 'runs', 'latest', 'model.onnx'), 'a run');
    writeFileSync(join(where.cwd, 'notes.txt'), 'mine');
    const runs = await train(['--out', 'runs'], where);
    expect(runs.code).toBe(2);
    expect(runs.stderr).toBe(
      `error: --out: ${join(where.cwd, 'runs')} is a folder that is not a previous run directory (it holds latest/); it is replaced only when asked to ` +
        '(choose a new or empty folder, move its content away, or pass --overwrite to replace it)\n',
    );
    const file = await train(['--out', 'notes.txt'], where);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/notes\.txt is not a folder, so not a previous run directory/);
    expect(readFileSync(join(where.cwd, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(where.cwd).filter((name) => name.startsWith('.'))).toEqual([]);
  }, 60_000);

  it('names the run directory and the cause when it cannot be written: a runtime error, not a bug', async () => {
    const where = workspace();
    writeFileSync(join(where.cwd, 'file'), '');
    const result = await train(['--out', 'file/run'], where);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: --out: cannot write the run directory .*file\/run: .*\((EEXIST|ENOTDIR)\); write the run to a writable folder on a disk with free space \(nothing partial was left behind\)\n$/);
    expect(result.stderr).not.toMatch(/this is a bug| {4}at /);
  }, 60_000);
});

describe('dga writing its results to stdout', () => {
  it('reports a full disk on stdout as a runtime error naming stdout, without a stack', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dga-cli-'));
    const stderr = sink();
    const full = {
      write(): boolean {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      },
    };
    const code = await runCli(['features', 'google.com'], { stdout: full, stderr, env: { NO_COLOR: '1', HOME: cwd }, cwd });
    expect(code).toBe(1);
    expect(stderr.text).toBe('error: cannot write the results to stdout (ENOSPC: no space left on device, write) (check that where stdout goes has free space and is writable)\n');
  });
});

describe('dga train --register', () => {
  const skipData = requireSharedData('sample-small.csv');

  it('checks the Model Manager before training: down, it fails at once and trains nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dga-cli-'));
    writeFileSync(join(cwd, 'data.csv'), 'host;domain;class;subclass\ngoogle.com;google;legit;legit\n');
    const result = await run(['train', '--dataset', 'data.csv', '--out', 'run', '--register', 'm', '--mlmm-url', 'http://127.0.0.1:9/mlmodelmanager', '--token', 'secret-token-5678'], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: --register m: the Model Manager at http:\/\/127\.0\.0\.1:9\/mlmodelmanager failed the check before training: connect ECONNREFUSED/m);
    expect(result.stderr).toContain('nothing was trained');
    expect(result.stderr).not.toContain('secret-token-5678');
    expect(result.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual(['data.csv']);
  }, 60_000);

  it('refuses a --register name no URL can address before training, as a usage error', async () => {
    const { startFakeMlmmServer } = await import('@dga/mlmm-client/testing');
    const server = await startFakeMlmmServer();
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'dga-cli-'));
      writeFileSync(join(cwd, 'data.csv'), 'host;domain;class;subclass\ngoogle.com;google;legit;legit\n');
      const result = await run(['train', '--dataset', 'data.csv', '--out', 'run', '--register', '..', '--mlmm-url', server.url, '--token', 'token-1'], cwd);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: --register \.\.: Invalid name: '\.\.' .* \(nothing was trained; choose another --register NAME\)\n$/);
      expect(readdirSync(cwd)).toEqual(['data.csv']);
    } finally {
      await server.close();
    }
  });

  it('refuses a name already taken before training, unless --force', async () => {
    const { startFakeMlmmServer } = await import('@dga/mlmm-client/testing');
    const server = await startFakeMlmmServer();
    try {
      server.seedModel({ name: 'taken', engine: 'ONNX', bytes: new Uint8Array([1, 2, 3]) });
      const cwd = mkdtempSync(join(tmpdir(), 'dga-cli-'));
      writeFileSync(join(cwd, 'data.csv'), 'host;domain;class;subclass\ngoogle.com;google;legit;legit\n');
      const result = await run(['train', '--dataset', 'data.csv', '--out', 'run', '--register', 'taken', '--mlmm-url', server.url, '--token', 'token-1'], cwd);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`error: --register taken: a model of that name already exists in the Model Manager at ${server.url} (nothing was trained; pass --force to replace it, or choose another --register NAME)\n`);
      expect(readdirSync(cwd)).toEqual(['data.csv']);
    } finally {
      await server.close();
    }
  });

  it.skipIf(skipData)('keeps the run and prints the summary when registering fails after training, and says how to register later', async () => {
    const { startFakeMlmmServer } = await import('@dga/mlmm-client/testing');
    const server = await startFakeMlmmServer();
    try {
      server.failNext({ method: 'POST', path: '/models/images/upload', status: 400, body: { code: 400, msg: 'Invalid model file' } });
      const cwd = mkdtempSync(join(tmpdir(), 'dga-cli-'));
      const argv = ['train', '--dataset', sharedDataFile('sample-small.csv'), '--epochs', '1', '--out', 'run', '--register', 'dga_m', '--mlmm-url', server.url, '--token', 'token-1', '--json'];
      const result = await run(argv, cwd);
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(summary['registered']).toBe(false);
      expect(summary['registerError']).toMatch(/Invalid model file/);
      expect(summary['runDirectory']).toBe(join(cwd, 'run'));
      expect(result.stderr).toMatch(/error: registering "dga_m" failed after training: .*Invalid model file.* \(the run is saved in .*\/run; register it later with `dga register --model .*\/run\/model\.onnx --name dga_m`\)\n$/);
      expect(readdirSync(join(cwd, 'run')).sort()).toEqual(['metrics.json', 'model-card.json', 'model.onnx', 'report.html', 'tfjs']);
      expect(server.getModel('dga_m')).toBeUndefined();
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('runCli error reports', () => {
  const throwing = (error: Error) => ({ meta: { name: 'dga' }, args: { 'log-format': { type: 'string' as const } }, run: () => Promise.reject(error) });

  it('reports a typed error of a package by its string code: one line, exit 1, no stack', async () => {
    const error = new MlmmNetworkError({ code: 'ERR_MLMM_NETWORK', msg: 'Connection refused', method: 'GET', url: 'http://127.0.0.1:9/models', networkCode: 'ECONNREFUSED' });
    const stderr = sink();
    expect(await runCli(['--log-format', 'json'], { root: throwing(error), stdout: sink(), stderr, env: {} })).toBe(1);
    expect(JSON.parse(stderr.text)).toMatchObject({ level: 'error', msg: 'Connection refused', code: 'ERR_MLMM_NETWORK' });
    expect(stderr.text).not.toMatch(/this is a bug| {4}at /);
  });

  it('reports an error without an ERR_ code as a bug, with its stack', async () => {
    const stderr = sink();
    expect(await runCli([], { root: throwing(new TypeError('x is undefined')), stdout: sink(), stderr, env: { NO_COLOR: '1' } })).toBe(1);
    expect(stderr.text).toMatch(/unexpected error[\s\S]*TypeError: x is undefined[\s\S]*this is a bug/);
  });
});

