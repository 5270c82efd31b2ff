/**
 * Featurization throughput on one core over the `domain` column of the real training data:
 * `FeatureSet.compute` into a reused Float32Array (the hot path), `featurizeLabels` (batch), and
 * `extractLabel` over the `host` column. Writes bench/results.json.
 */
import { readFileSync } from 'node:fs';
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

writeBenchResults(join(dirname(fileURLToPath(import.meta.url)), 'results.json'), '@dga/features', results);
