/**
 * Rows/s of the LINQ evaluator on the queries `dga linq` generates for the default preset's
 * model (an untrained, seeded model on its feature set: speed does not depend on the weights):
 * grouped by label (the default), per event (`--per-event`) and one column per feature
 * (`--feature-columns`). Each form runs over sample-small.csv (2k events: after one warm-up
 * run, the median of 9 runs, parse and compile included) and once over the full training hosts
 * as referral URLs (~136k events). Peak RSS is the process's high-water mark so far.
 *
 *   pnpm --filter @dga/devo-sandbox bench     # writes bench/results.json
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { measure, writeBenchResults, type BenchResult } from '@dga/bench';
import { buildClassificationQuery, type BuildClassificationQueryOptions } from '@dga/features';
import { createModel, getPreset } from '@dga/model';
import { exportToOnnx } from '@dga/onnx-export';
import { sharedDataFile } from '@dga/test-support';
import { runLinqQuery, type SandboxTable } from '../src/linq/run-query';
import { createOnnxModelResolver } from '../src/onnx-model-resolver';
import { createReferralTable, DEMO_TABLE, readLabelledHosts } from '../src/tables';

const fullTable = createReferralTable(await readLabelledHosts(sharedDataFile('dga-training.csv')), { endTime: 0 });
const sampleTable = createReferralTable(await readLabelledHosts(sharedDataFile('sample-small.csv')), { endTime: 0 });
const featureSet = getPreset('default').featureSet;
const { bytes } = await exportToOnnx(createModel({ preset: 'default', featureSet, seed: 42 }));
const models = createOnnxModelResolver({ getModelFile: () => ({ engine: 'ONNX', bytes }) });

/** Runs `query` to the end; returns the events it read (a grouped query outputs fewer rows). */
async function run(query: string, table: SandboxTable): Promise<number> {
  const result = await runLinqQuery(query, { tables: { [DEMO_TABLE]: table }, models, now: 0 });
  for await (const row of result.rows) void row;
  return table.rows.length;
}

const forms: { name: string; options: Partial<BuildClassificationQueryOptions> }[] = [
  { name: 'grouped by label (default)', options: {} },
  { name: 'per event (--per-event)', options: { scoring: 'event' } },
  { name: 'feature columns, grouped (--feature-columns)', options: { layout: 'columns' } },
];
const sampleRuns = 9;
const results: BenchResult[] = [];
for (const { name, options } of forms) {
  const query = buildClassificationQuery({ modelName: 'bench', featureSet, ...options });
  results.push(
    await measure({ name: `linq ${featureSet} query over sample-small.csv (2k), ${name}`, unit: 'rows', warmup: true }, async () => {
      const seconds: number[] = [];
      for (let index = 0; index < sampleRuns; index += 1) {
        const start = performance.now();
        await run(query, sampleTable);
        seconds.push((performance.now() - start) / 1000);
      }
      seconds.sort((left, right) => left - right);
      const median = seconds[Math.floor(sampleRuns / 2)] as number;
      return {
        items: sampleTable.rows.length * sampleRuns,
        extra: { runs: sampleRuns, medianRowsPerSecond: Math.round(sampleTable.rows.length / median), loadAverage: Number((loadavg()[0] as number).toFixed(2)) },
      };
    }),
  );
  results.push(await measure({ name: `linq ${featureSet} query over dga-training.csv, ${name}`, unit: 'rows' }, () => run(query, fullTable)));
}
await models.dispose();
writeBenchResults(fileURLToPath(new URL('results.json', import.meta.url)), '@dga/devo-sandbox', results);
