/**
 * Time to read the whole real training file through readDataset (line splitting, validation, labels) and to
 * read + featurize it (extended set, into a reused Float32Array). Writes bench/results.json.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, writeBenchResults, type BenchResult } from '@dga/bench';
import { readDataset } from '@dga/dataset';
import { getFeatureSet } from '@dga/features';
import { sharedDataFile } from '@dga/test-support';

const file = sharedDataFile('dga-training.csv');
const results: BenchResult[] = [];

/** CPU seconds this process used since `start` (wall time suffers when others share the cores). */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1e4) / 100;
}

results.push(
  await measure({ name: 'readDataset dga-training.csv', unit: 'rows' }, async () => {
    const cpu = process.cpuUsage();
    let rows = 0;
    for await (const row of readDataset(file, { strict: true })) rows += row.line > 0 ? 1 : 0;
    return { items: rows, extra: { cpuSeconds: cpuSeconds(cpu) } };
  }),
);

const set = getFeatureSet('extended');
const features = new Float32Array(set.size);
results.push(
  await measure({ name: 'readDataset + featurize extended, dga-training.csv', unit: 'rows' }, async () => {
    const cpu = process.cpuUsage();
    let rows = 0;
    let checksum = 0;
    for await (const row of readDataset(file, { strict: true })) {
      set.compute(row.label, features, 0);
      checksum += features[0]!;
      rows++;
    }
    return { items: rows, extra: { cpuSeconds: cpuSeconds(cpu), totalLength: checksum } };
  }),
);

writeBenchResults(join(dirname(fileURLToPath(import.meta.url)), 'results.json'), '@dga/dataset', results);
