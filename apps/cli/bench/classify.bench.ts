/**
 * Benchmarks of the `dga` command, end to end, each in its own process (peak RSS is per process):
 * - `train`: the whole `dga train` run (default preset) on dga-training.csv;
 * - `classify`: hosts/s over a generated file of 1,000,000 hosts (read, extract the label,
 *   featurize, ONNX Runtime, write), with peak memory: to CSV and to NDJSON on the main thread
 *   with one worker per core beyond the first (the default on an idle machine), to CSV on the
 *   main thread alone (`--workers 0`), two `--workers 0` processes at once on a half each (the
 *   ceiling of two threads for today's per-host work), and ONNX Runtime alone on the same feature
 *   rows (one session per core, rows computed beforehand), so the ratios say how close the
 *   pipeline gets to each. The bench first builds the CLI and its packages
 *   (turbo, cached), then runs the built `dga` (`bin/dga.js`, as users run it) in a process of its
 *   own (extra `cli`: `built`; `source` if `dist/` is absent, running in this process). Each result records the load average (the machine may be
 *   shared) and hosts per CPU second (all threads); each classify case runs 5 times and the
 *   fastest run is kept (extra `slowestSeconds` gives the slowest).
 * Run with `pnpm --filter @dga/cli bench` (or `… bench classify` to re-measure classify only);
 * results go to bench/results.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatBytes, measure, writeBenchResults, type BenchResult } from '@dga/bench';
import { getFeatureSet, tryExtractLabel } from '@dga/features';
import { createOnnxClassifier } from '@dga/onnx-export';
import { runCli } from '../src/cli';
import { DEFAULT_CLASSIFY_BATCH_SIZE } from '../src/internal/classify-batch';

const here = dirname(fileURLToPath(import.meta.url));
const workDir = join(tmpdir(), 'dga-cli-bench');
const datasetFile = process.env['DGA_SHARED_DATA'] === undefined ? join(here, '../../../../shared/data/dga-training.csv') : join(process.env['DGA_SHARED_DATA'], 'dga-training.csv');
const hostsFile = join(workDir, 'hosts-1m.txt');
const runDir = join(workDir, 'run');
const HOSTS = 1_000_000;

/** A sink that counts bytes: stdout of the measured command without terminal cost. */
function nullOutput(file: string): { write(chunk: string | Uint8Array): boolean; once(event: 'drain', listener: () => void): unknown; end(): Promise<void> } {
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

/**
 * How a classify benchmark ran: format and worker threads beside the main thread (0: the main
 * thread alone). One per core beyond the first, whatever the load: the default on an idle machine
 * (it would start none on a busy one).
 */
const defaultWorkers = Math.max(0, availableParallelism() - 1);
const classifyCases: Record<string, { format: string; workers: number; name: string }> = {
  'classify-csv': { format: 'csv', workers: defaultWorkers, name: 'dga classify 1M hosts (file → label → features → ONNX → CSV)' },
  'classify-json': { format: 'json', workers: defaultWorkers, name: 'dga classify 1M hosts (file → label → features → ONNX → NDJSON)' },
  'classify-single': { format: 'csv', workers: 0, name: 'dga classify 1M hosts, main thread only (--workers 0, CSV)' },
};
const builtCli = join(here, '../bin/dga.js');
const builtMain = join(here, '../dist/main.mjs');
type ClassifyCase = keyof typeof classifyCases;

/** What the built `dga` reported at exit through `report-usage.mjs`. */
interface ChildUsage {
  maxRssBytes: number;
  cpuSeconds: number;
  peakHeapBytes: number;
}

/** Runs the built `dga` with `args` in a process of its own, stdout and stderr to files. */
async function runBuiltCli(args: readonly string[], stdoutFile: string, stderrFile: string, usageFile = join(workDir, 'usage.json')): Promise<{ code: number | null; usage: ChildUsage }> {
  const stdout = openSync(stdoutFile, 'w');
  const stderr = openSync(stderrFile, 'w');
  try {
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(here, 'report-usage.mjs')).href, builtCli, ...args], {
      stdio: ['ignore', stdout, stderr],
      env: { ...process.env, NO_COLOR: '1', DGA_BENCH_USAGE_FILE: usageFile },
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, usage: JSON.parse(readFileSync(usageFile, 'utf8')) as ChildUsage };
  } finally {
    closeSync(stdout);
    closeSync(stderr);
  }
}
const onnxCase = 'onnx-alone';
const halvesCase = 'classify-halves';
const halvesName = 'two independent main-thread-only runs at once, each on half of the 1M hosts (CSV): what the machine gives with nothing shared';
const benchNames = ['train', ...Object.keys(classifyCases), halvesCase, onnxCase];

function modelFile(): string {
  const model = join(runDir, 'model.onnx');
  if (!existsSync(model)) throw new Error(`no model at ${model}: run the train benchmark first`);
  return model;
}

/** Figures every classify result carries: CPU seconds of all threads and the machine's load. */
function loadFigures(cpuBefore: NodeJS.CpuUsage, items: number): Record<string, number> {
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const [one, five] = loadavg();
  return { cpuSeconds: Number(cpuSeconds.toFixed(2)), hostsPerCpuSecond: Math.round(items / cpuSeconds), loadAverage1m: Number(one!.toFixed(2)), loadAverage5m: Number(five!.toFixed(2)) };
}

/** Runs of each classify case: the machine may be shared (its speed was seen to vary by ±15 % from minute to minute), so the fastest one is kept. */
const CLASSIFY_RUNS = 5;

/** The fastest of `runs` results of `bench`, with the slowest one's seconds in its extra figures. */
async function bestOf(runs: number, bench: () => Promise<BenchResult>): Promise<BenchResult> {
  const results: BenchResult[] = [];
  for (let run = 0; run < runs; run += 1) results.push(await bench());
  const sorted = results.toSorted((a, b) => a.seconds - b.seconds);
  const best = sorted[0]!;
  best.extra = { ...best.extra, runs, slowestSeconds: Number(sorted.at(-1)!.seconds.toFixed(2)) };
  return best;
}

async function benchClassify(name: ClassifyCase): Promise<BenchResult> {
  makeHostsFile();
  const model = modelFile();
  const settings = classifyCases[name]!;
  const workers = ['--workers', String(settings.workers)];
  const args = ['classify', '--model', model, '--file', hostsFile, '--format', settings.format, '--quiet', ...workers];
  const workersFigure = settings.workers;
  const log = join(workDir, `${name}.log`);
  let code: number | null = -1;
  if (existsSync(builtMain)) {
    let usage: ChildUsage | undefined;
    const result = await measure({ name: settings.name, unit: 'hosts' }, async () => {
      ({ code, usage } = await runBuiltCli(args, join(workDir, `${name}.out`), log));
      const [one, five] = loadavg();
      const cpuSeconds = usage.cpuSeconds;
      return { items: HOSTS, extra: { cpuSeconds: Number(cpuSeconds.toFixed(2)), hostsPerCpuSecond: Math.round(HOSTS / cpuSeconds), loadAverage1m: Number(one!.toFixed(2)), loadAverage5m: Number(five!.toFixed(2)), workers: workersFigure, cli: 'built' } };
    });
    if (code !== 0) throw new Error(`dga classify exited ${code}; see ${log}`);
    // The line measure() printed gave this process's memory: the dga process's is what counts.
    result.peakRssBytes = usage!.maxRssBytes;
    result.peakHeapBytes = usage!.peakHeapBytes;
    console.log(`${settings.name}: peak RSS of the dga process ${formatBytes(result.peakRssBytes)}, peak heap of its main thread ${formatBytes(result.peakHeapBytes)}`);
    return result;
  }
  const stdout = nullOutput(join(workDir, `${name}.out`));
  const stderr = nullOutput(log);
  const cpuBefore = process.cpuUsage();
  const result = await measure({ name: settings.name, unit: 'hosts' }, async () => {
    code = await runCli(args, { stdout, stderr, env: { ...process.env, NO_COLOR: '1' } });
    return { items: HOSTS, extra: { ...loadFigures(cpuBefore, HOSTS), workers: workersFigure, cli: 'source' } };
  });
  await stdout.end();
  await stderr.end();
  if (code !== 0) throw new Error(`dga classify exited ${code}; see ${log}`);
  return result;
}

/**
 * The ceiling of two threads for today's per-host work on this machine: two `dga classify
 * --workers 0` processes at once, each on its own half of the hosts, so they share nothing (no
 * worker start, no messages, no ordered output). The pipeline's ratio to it shows what its
 * coordination costs; the ratio of its CPU seconds to the single run's shows what running both
 * cores at once costs the machine itself.
 */
async function benchHalves(): Promise<BenchResult> {
  makeHostsFile();
  const hosts = readFileSync(hostsFile, 'utf8').split('\n').filter((host) => host !== '');
  const half = Math.ceil(hosts.length / 2);
  const files = [hosts.slice(0, half), hosts.slice(half)].map((part, index) => {
    const file = join(workDir, `hosts-half-${index}.txt`);
    writeFileSync(file, part.join('\n') + '\n');
    return file;
  });
  let runs: { code: number | null; usage: ChildUsage }[] = [];
  const result = await measure({ name: halvesName, unit: 'hosts' }, async () => {
    runs = await Promise.all(
      files.map((file, index) =>
        runBuiltCli(['classify', '--model', modelFile(), '--file', file, '--format', 'csv', '--quiet', '--workers', '0'], join(workDir, `halves-${index}.out`), join(workDir, `halves-${index}.log`), join(workDir, `usage-${index}.json`)),
      ),
    );
    const cpuSeconds = runs.reduce((sum, run) => sum + run.usage.cpuSeconds, 0);
    const [one, five] = loadavg();
    return { items: hosts.length, extra: { cpuSeconds: Number(cpuSeconds.toFixed(2)), hostsPerCpuSecond: Math.round(hosts.length / cpuSeconds), loadAverage1m: Number(one!.toFixed(2)), loadAverage5m: Number(five!.toFixed(2)), processes: 2, cli: 'built' } };
  });
  const failed = runs.findIndex((run) => run.code !== 0);
  if (failed !== -1) throw new Error(`dga classify exited ${runs[failed]!.code}; see ${join(workDir, `halves-${failed}.log`)}`);
  // Both processes were alive together: their peaks add up.
  result.peakRssBytes = runs.reduce((sum, run) => sum + run.usage.maxRssBytes, 0);
  result.peakHeapBytes = runs.reduce((sum, run) => sum + run.usage.peakHeapBytes, 0);
  return result;
}

/**
 * ONNX Runtime alone on the feature rows of the same 1M hosts (computed before the clock starts):
 * one session per core, each with one intra-op thread and classify's rows per call, as the classify
 * workers run it.
 */
async function benchOnnxAlone(): Promise<BenchResult> {
  makeHostsFile();
  const set = getFeatureSet('bigram');
  const hosts = readFileSync(hostsFile, 'utf8').split('\n').filter((host) => host !== '');
  const batch = DEFAULT_CLASSIFY_BATCH_SIZE;
  // The hosts repeat every dga-training.csv's worth with the same labels: those rows, cycled.
  const cycle = hosts.length > 132_534 ? 132_534 : hosts.length;
  const rows = new Float32Array(cycle * set.size);
  let count = 0;
  for (const host of hosts.slice(0, cycle)) {
    const label = tryExtractLabel(host);
    if (label !== undefined) set.compute(label, rows, count++ * set.size);
  }
  const labelled = Math.round((count / cycle) * hosts.length);
  const sessions = await Promise.all(Array.from({ length: availableParallelism() }, () => createOnnxClassifier(modelFile(), { intraOpNumThreads: 1, batchSize: batch })));
  const cpuBefore = process.cpuUsage();
  const result = await measure({ name: 'ONNX Runtime alone on the same rows (one session per core)', unit: 'rows' }, async () => {
    let next = 0;
    await Promise.all(
      sessions.map(async (session) => {
        for (let start = next; start < labelled; start = next) {
          const offset = start % count;
          const size = Math.min(batch, labelled - start, count - offset);
          next = start + size;
          await session.predict(rows.subarray(offset * set.size, (offset + size) * set.size));
        }
      }),
    );
    return { items: labelled, extra: { ...loadFigures(cpuBefore, labelled), sessions: sessions.length } };
  });
  await Promise.all(sessions.map((session) => session.dispose()));
  return result;
}

/**
 * Builds the CLI and the packages it imports (turbo: cached when nothing changed), so the built
 * `dga` measured is the code in the tree, never an older `dist/`.
 */
function buildCli(): void {
  const turbo = join(here, '../../../node_modules/.bin/turbo');
  const build = spawnSync(turbo, ['run', 'build', '--filter=@dga/cli...', '--output-logs=errors-only'], { stdio: 'inherit', cwd: join(here, '../../..') });
  if (build.status !== 0) throw new Error(`building the CLI failed (exit ${build.status}); run \`pnpm build\` and fix the build first`);
}

const requested = process.argv[2];
const only = process.env['DGA_BENCH_CHILD'] === '1' && requested !== undefined && benchNames.includes(requested) ? requested : undefined;
mkdirSync(workDir, { recursive: true });
if (only !== undefined) {
  const result = only === 'train' ? await benchTrain() : only === onnxCase ? await benchOnnxAlone() : only === halvesCase ? await bestOf(CLASSIFY_RUNS, benchHalves) : await bestOf(CLASSIFY_RUNS, () => benchClassify(only));
  writeFileSync(join(workDir, `${only}.json`), JSON.stringify(result));
} else if (!existsSync(datasetFile)) {
  console.log(`skipped: ${datasetFile} is absent (set DGA_SHARED_DATA)`);
} else {
  buildCli();
  // Each benchmark in its own process, so peak RSS belongs to that command alone. The built
  // `classify` runs as users run it; from source, its main thread runs with a 64 MiB V8 heap:
  // finishing 1M hosts within it shows memory stays constant (without a cap V8 lets garbage pile
  // up to hundreds of MiB before collecting).
  // `pnpm bench classify` re-measures only the classify figures, keeping the others.
  const names = process.argv.slice(2).flatMap((name) => (name === 'classify' ? [...Object.keys(classifyCases), halvesCase, onnxCase] : benchNames.includes(name) ? [name] : []));
  const wanted = names.length > 0 ? names : benchNames;
  const resultsFile = join(here, 'results.json');
  const previous = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { results: BenchResult[] }).results : [];
  const results: BenchResult[] = [];
  for (const name of benchNames) {
    const title = name === 'train' ? 'dga train' : name === onnxCase ? 'ONNX Runtime alone' : name === halvesCase ? halvesName : classifyCases[name]!.name;
    if (!wanted.includes(name)) {
      const kept = previous.find((result) => result.name.startsWith(title));
      if (kept !== undefined) results.push(kept);
      continue;
    }
    // ONNX Runtime alone holds the hosts and their rows in memory on purpose: no cap there. The
    // built classify runs in a process of its own, as users run it.
    const heapCap = name === 'train' || name === onnxCase || name === halvesCase || existsSync(builtMain) ? [] : ['--max-old-space-size=64'];
    const child = spawnSync(process.execPath, [...heapCap, ...process.execArgv, fileURLToPath(import.meta.url), name], { stdio: 'inherit', env: { ...process.env, DGA_BENCH_CHILD: '1' } });
    if (child.status !== 0) throw new Error(`benchmark ${name} failed with exit code ${child.status}`);
    const result = JSON.parse(readFileSync(join(workDir, `${name}.json`), 'utf8')) as BenchResult;
    if (heapCap.length > 0) result.extra = { ...result.extra, maxOldSpaceMiB: 64 };
    results.push(result);
  }
  // How close the pipeline gets: its throughput over the main-thread run, over two independent
  // half runs (the machine's ceiling for today's per-host work) and over ONNX Runtime alone.
  const single = results.find((result) => result.name === classifyCases['classify-single']!.name);
  const halves = results.find((result) => result.name === halvesName);
  const onnx = results.find((result) => result.name.startsWith('ONNX Runtime alone'));
  for (const name of ['classify-csv', 'classify-json'] as const) {
    const result = results.find((candidate) => candidate.name === classifyCases[name]!.name);
    if (result === undefined) continue;
    if (single !== undefined) result.extra = { ...result.extra, ratioToMainThreadOnly: Number((result.throughput / single.throughput).toFixed(2)) };
    if (halves !== undefined) result.extra = { ...result.extra, ratioToIndependentHalves: Number((result.throughput / halves.throughput).toFixed(2)) };
    if (onnx !== undefined) result.extra = { ...result.extra, ratioToOnnxAlone: Number((result.throughput / onnx.throughput).toFixed(2)) };
    console.log(`${result.name}: ${result.extra?.['ratioToMainThreadOnly'] ?? '?'}× the main thread alone, ${result.extra?.['ratioToIndependentHalves'] ?? '?'}× two independent halves, ${result.extra?.['ratioToOnnxAlone'] ?? '?'}× ONNX Runtime alone`);
  }
  writeBenchResults(resultsFile, '@dga/cli', results);
}
