/**
 * Featurization throughput on one core over the `domain` column of the real training data:
 * `FeatureSet.compute` into a reused Float32Array (the hot path), `featurizeLabels` (batch), and
 * `extractLabel` over the `host` column; and the seed tutorial's pandas featurization of the same
 * column (pandas-tutorial.py, through Debian's python3-pandas when installed; otherwise the last
 * measured figure is kept with its machine), with the ratio of `featurizeLabels` tutorial to it.
 * Writes bench/results.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, writeBenchResults, type BenchResult } from '@dga/bench';
import { sharedDataFile } from '@dga/test-support';
import { tryExtractLabel, featurizeLabels, featureSetNames, getFeatureSet } from '@dga/features';

const lines = readFileSync(sharedDataFile('dga-training.csv'), 'utf8').split('\n').slice(1).filter((line) => line !== '');
const hosts = lines.map((line) => line.split(';')[0]!);
const labels = lines.map((line) => line.split(';')[1]!);
const repeats = 20;
const results: BenchResult[] = [];

/** Items per CPU-second of this process: meaningful even when other processes share the cores. */
function perCpuSecond(items: number, start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round(items / ((used.user + used.system) / 1e6));
}

for (const name of featureSetNames) {
  const set = getFeatureSet(name);
  const row = new Float32Array(set.size);
  let checksum = 0;
  results.push(
    await measure({ name: `compute ${name} (${set.size} features)`, unit: 'labels', warmup: true }, () => {
      const cpu = process.cpuUsage();
      for (let repeat = 0; repeat < repeats; repeat++) {
        for (const label of labels) {
          set.compute(label, row, 0);
          checksum += row[1]!;
        }
      }
      const items = labels.length * repeats;
      return Promise.resolve({ items, extra: { labelsPerCpuSecond: perCpuSecond(items, cpu), checksum: Math.round(checksum) } });
    }),
  );
  results.push(
    await measure({ name: `featurizeLabels ${name} (batch into one Float32Array)`, unit: 'labels', warmup: true }, () => {
      const cpu = process.cpuUsage();
      const out = new Float32Array(labels.length * set.size);
      for (let repeat = 0; repeat < 5; repeat++) featurizeLabels(labels, { featureSet: name, out });
      return Promise.resolve({ items: labels.length * 5, extra: { labelsPerCpuSecond: perCpuSecond(labels.length * 5, cpu) } });
    }),
  );
}

results.push(
  await measure({ name: 'extractLabel (host → label, PSL with private domains)', unit: 'hosts', warmup: true }, () => {
    const cpu = process.cpuUsage();
    let characters = 0;
    for (const host of hosts) characters += tryExtractLabel(host)?.length ?? 0;
    return Promise.resolve({ items: hosts.length, extra: { hostsPerCpuSecond: perCpuSecond(hosts.length, cpu), characters } });
  }),
);

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, 'results.json');
const pandasName = 'pandas apply, tutorial features (the seed tutorial, python3-pandas)';

/** The tutorial's pandas featurization, measured now, or the last figure with the machine it came from. */
function pandasReference(): BenchResult | undefined {
  // The first python3 on PATH, else Debian's own (where python3-pandas installs).
  let run = spawnSync('python3', [join(here, 'pandas-tutorial.py'), sharedDataFile('dga-training.csv')], { encoding: 'utf8' });
  if (run.status !== 0) run = spawnSync('/usr/bin/python3', [join(here, 'pandas-tutorial.py'), sharedDataFile('dga-training.csv')], { encoding: 'utf8' });
  if (run.status === 0) {
    const figures = JSON.parse(run.stdout) as { rows: number; seconds: number; cpuSeconds: number; rowsPerSecond: number; rowsPerCpuSecond: number; pandas: string };
    const result: BenchResult = {
      name: pandasName,
      items: figures.rows,
      unit: 'labels',
      seconds: figures.seconds,
      throughput: figures.rowsPerSecond,
      peakRssBytes: 0,
      peakHeapBytes: 0,
      extra: { labelsPerCpuSecond: Math.round(figures.rowsPerCpuSecond), pandas: figures.pandas, measured: 'now, on this machine' },
    };
    console.log(`${pandasName}: ${Math.round(figures.rowsPerSecond).toLocaleString('en-US')} labels/s (pandas ${figures.pandas})`);
    return result;
  }
  const previous = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { measuredAt: string; machine: { cpu: string }; results: BenchResult[] }) : undefined;
  const kept = previous?.results.find((result) => result.name === pandasName);
  if (kept === undefined || previous === undefined) {
    console.log('pandas reference: python3 with pandas is not installed here (Debian: apt-get install python3-pandas), and no earlier figure is recorded');
    return undefined;
  }
  const measured = typeof kept.extra?.['measured'] === 'string' && kept.extra['measured'] !== 'now, on this machine' ? kept.extra['measured'] : `${previous.measuredAt} on ${previous.machine.cpu}`;
  console.log(`pandas reference: python3 with pandas is not installed here; last figure ${Math.round(kept.throughput).toLocaleString('en-US')} labels/s, measured ${measured}`);
  return { ...kept, extra: { ...kept.extra, measured } };
}

const pandas = pandasReference();
const tutorialBatch = results.find((result) => result.name.startsWith('featurizeLabels tutorial'));
if (pandas !== undefined && tutorialBatch !== undefined) {
  const ratio = tutorialBatch.throughput / pandas.throughput;
  const perCpu = Number(tutorialBatch.extra?.['labelsPerCpuSecond']) / Number(pandas.extra?.['labelsPerCpuSecond']);
  tutorialBatch.extra = { ...tutorialBatch.extra, timesPandas: Number(ratio.toFixed(1)), timesPandasPerCpuSecond: Number(perCpu.toFixed(1)) };
  console.log(`featurizeLabels tutorial: ${ratio.toFixed(1)}× the tutorial's pandas featurization (${perCpu.toFixed(1)}× per CPU second)`);
  results.push(pandas);
}

writeBenchResults(resultsFile, '@dga/features', results);
