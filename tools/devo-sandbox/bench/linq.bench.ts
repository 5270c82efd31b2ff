/**
 * Events/s of the LINQ evaluator on the generated classification query over the full training
 * hosts as referral URLs (~136k events) and over sample-small.csv (2k): the feature items alone,
 * then the classification query with `mlevalmodel` on an untrained default-preset model on its
 * feature set (seeded: speed does not depend on the weights), grouped by label (the default)
 * and per event.
 *
 *   pnpm --filter @dga/devo-sandbox bench     # writes bench/results.json
 */
import { fileURLToPath } from 'node:url';
import { measure, writeBenchResults, type BenchResult } from '@dga/bench';
import { buildClassificationQuery, getFeatureSet, linqFeatureItems, type FeatureSetName } from '@dga/features';
import { createModel, getPreset } from '@dga/model';
import { exportToOnnx } from '@dga/onnx-export';
import { sharedDataFile } from '@dga/test-support';
import { runLinqQuery } from '../src/linq/run-query';
import { createOnnxModelResolver } from '../src/onnx-model-resolver';
import { createReferralTable, DEMO_TABLE, readLabelledHosts } from '../src/tables';

const hosts = await readLabelledHosts(sharedDataFile('dga-training.csv'));
const tables = { [DEMO_TABLE]: createReferralTable(hosts, { endTime: 0 }) };
const sampleTables = { [DEMO_TABLE]: createReferralTable(await readLabelledHosts(sharedDataFile('sample-small.csv')), { endTime: 0 }) };
// The default preset's model and feature set: the query `dga train` prints.
const featureSet = getPreset('default').featureSet;
const { bytes } = await exportToOnnx(createModel({ preset: 'default', featureSet, seed: 42 }));
const models = createOnnxModelResolver({ getModelFile: () => ({ engine: 'ONNX', bytes }) });

/** Runs `query` to the end; returns the events it read (a grouped query outputs fewer rows). */
async function run(query: string, over: typeof tables = tables): Promise<number> {
  const result = await runLinqQuery(query, { tables: over, models, now: 0 });
  for await (const row of result.rows) void row;
  return over[DEMO_TABLE].rows.length;
}

const featuresOf = (set: FeatureSetName): string => `from ${DEMO_TABLE} select ${linqFeatureItems({ field: 'referralUri', fieldKind: 'url', featureSet: set }).items.join(', ')}`;
const results: BenchResult[] = [
  await measure({ name: 'linq extended features (42)', unit: 'rows', warmup: false }, () => run(featuresOf('extended'))),
  await measure({ name: `linq ${featureSet} features (${getFeatureSet(featureSet).size})`, unit: 'rows', warmup: false }, () => run(featuresOf(featureSet))),
  await measure({ name: `linq classification query, ${featureSet} features, grouped by label (mlevalmodel)`, unit: 'rows' }, () =>
    run(buildClassificationQuery({ modelName: 'bench', featureSet })),
  ),
  await measure({ name: `linq classification query, ${featureSet} features, per event (mlevalmodel, ORT batches of 512)`, unit: 'rows' }, () =>
    run(buildClassificationQuery({ modelName: 'bench', featureSet, scoring: 'event' })),
  ),
  await measure({ name: `linq classification query over sample-small.csv (2k), ${featureSet} features, grouped by label`, unit: 'rows' }, () =>
    run(buildClassificationQuery({ modelName: 'bench', featureSet }), sampleTables),
  ),
];
await models.dispose();
writeBenchResults(fileURLToPath(new URL('results.json', import.meta.url)), '@dga/devo-sandbox', results);
