/**
 * Benchmarks of the `dga` command, end to end, each in its own process (peak RSS is per process):
 * - `train`: the whole `dga train` run (default preset) on dga-training.csv;
 * - `classify`: hosts/s over a generated file of 1,000,000 hosts (read, extract the label,
 *   featurize, ONNX Runtime, write CSV), with peak memory.
 * Run with `pnpm --filter @dga/cli bench` (or `… bench classify` to re-measure classify only);
 * results go to bench/results.json.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, writeBenchResults, type BenchResult } from '@dga/bench';
import { runCli } from '../src/cli';

const here = dirname(fileURLToPath(import.meta.url));
const workDir = join(tmpdir(), 'dga-cli-bench');
const datasetFile = process.env['DGA_SHARED_DATA'] === undefined ? join(here, '../../../../shared/data/dga-training.csv') : join(process.env['DGA_SHARED_DATA'], 'dga-training.csv');
const hostsFile = join(workDir, 'hosts-1m.txt');
const runDir = join(workDir, 'run');
const HOSTS = 1_000_000;

/** A sink that counts bytes: stdout of the measured command without terminal cost. */
function nullOutput(file: string): { write(chunk: string): boolean; once(event: 'drain', listener: () => void): unknown; end(): Promise<void> } {
  const stream = createWriteStream(file);
  return {
    write: (chunk) => stream.write(chunk),
    once: (event, listener) => stream.once(event, listener),
    end: () => new Promise((resolve) => stream.end(resolve)),
  };
}

function makeHostsFile(): void {
  if (existsSync(hostsFile)) return;
  // Real hosts of the training file, cycled with a varying subdomain so labels repeat but inputs differ.
  const hosts = readFileSync(datasetFile, 'utf8').split('\n').slice(1).map((line) => line.split(';')[0]).filter((host): host is string => host !== undefined && host !== '');
  const out: string[] = [];
  for (let index = 0; index < HOSTS; index += 1) {
    const host = hosts[index % hosts.length]!;
    out.push(index < hosts.length ? host : `www${Math.floor(index / hosts.length)}.${host}`);
  }
  writeFileSync(hostsFile, out.join('\n') + '\n');
}

async function benchTrain(): Promise<BenchResult> {
  const stderr = nullOutput(join(workDir, 'train.log'));
  const stdout = nullOutput(join(workDir, 'train.out'));
  let code = -1;
  const result = await measure({ name: 'dga train (default preset, dga-training.csv)', unit: 'rows' }, async () => {
    code = await runCli(['train', '--dataset', datasetFile, '--out', runDir, '--json', '--log-format', 'json'], { stdout, stderr, env: { ...process.env, NO_COLOR: '1' } });
    return 132_534;
  });
  await stdout.end();
  await stderr.end();
  if (code !== 0) throw new Error(`dga train exited ${code}; see ${join(workDir, 'train.log')}`);
  const summary = JSON.parse(readFileSync(join(workDir, 'train.out'), 'utf8')) as { f1: number; rocAuc: number; epochs: number; backend: { name: string }; seconds: { train: number } };
  result.extra = { epochs: summary.epochs, f1: Number(summary.f1.toFixed(4)), rocAuc: Number(summary.rocAuc.toFixed(4)), backend: summary.backend.name, trainSeconds: Number(summary.seconds.train.toFixed(1)) };
  return result;
}

async function benchClassify(): Promise<BenchResult> {
  makeHostsFile();
  const model = existsSync(join(runDir, 'model.onnx')) ? join(runDir, 'model.onnx') : undefined;
  if (model === undefined) throw new Error(`no model at ${runDir}/model.onnx: run the train benchmark first`);
  const stdout = nullOutput(join(workDir, 'classified.csv'));
  const stderr = nullOutput(join(workDir, 'classify.log'));
  let code = -1;
  const result = await measure({ name: 'dga classify 1M hosts (file → label → features → ONNX → CSV)', unit: 'hosts' }, async () => {
    code = await runCli(['classify', '--model', model, '--file', hostsFile, '--format', 'csv', '--quiet'], { stdout, stderr, env: { ...process.env, NO_COLOR: '1' } });
    return HOSTS;
  });
  await stdout.end();
  await stderr.end();
  if (code !== 0) throw new Error(`dga classify exited ${code}; see ${join(workDir, 'classify.log')}`);
  return result;
}

const only = process.argv[2] === 'train' || process.argv[2] === 'classify' ? (process.env['DGA_BENCH_CHILD'] === '1' ? process.argv[2] : undefined) : undefined;
mkdirSync(workDir, { recursive: true });
if (only === 'train' || only === 'classify') {
  const result = only === 'train' ? await benchTrain() : await benchClassify();
  writeFileSync(join(workDir, `${only}.json`), JSON.stringify(result));
} else if (!existsSync(datasetFile)) {
  console.log(`skipped: ${datasetFile} is absent (set DGA_SHARED_DATA)`);
} else {
  // Each benchmark in its own process, so peak RSS belongs to that command alone. `classify`
  // runs with a 64 MiB V8 heap: finishing 1M hosts within it shows memory stays constant
  // (without a cap V8 lets garbage pile up to hundreds of MiB before collecting).
  // `pnpm bench classify` re-measures only classify, keeping the other figures.
  const names = process.argv.slice(2).filter((name) => name === 'train' || name === 'classify');
  const wanted = names.length > 0 ? names : ['train', 'classify'];
  const resultsFile = join(here, 'results.json');
  const previous = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { results: BenchResult[] }).results : [];
  const results: BenchResult[] = [];
  for (const name of ['train', 'classify']) {
    if (!wanted.includes(name)) {
      const kept = previous.find((result) => result.name.startsWith(`dga ${name}`));
      if (kept !== undefined) results.push(kept);
      continue;
    }
    const heapCap = name === 'classify' ? ['--max-old-space-size=64'] : [];
    const child = spawnSync(process.execPath, [...heapCap, ...process.execArgv, fileURLToPath(import.meta.url), name], { stdio: 'inherit', env: { ...process.env, DGA_BENCH_CHILD: '1' } });
    if (child.status !== 0) throw new Error(`benchmark ${name} failed with exit code ${child.status}`);
    const result = JSON.parse(readFileSync(join(workDir, `${name}.json`), 'utf8')) as BenchResult;
    if (name === 'classify') result.extra = { ...result.extra, maxOldSpaceMiB: 64 };
    results.push(result);
  }
  writeBenchResults(resultsFile, '@dga/cli', results);
}
