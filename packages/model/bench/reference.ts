/**
 * Same-split references for the `default` preset: scikit-learn's gradient boosting against our
 * model, on the rows of exactly the same test split, for each feature set. Two splits:
 * - `ours`: trainModel's seeded hash split (the one every bench and `dga train` use);
 * - `sklearn`: `train_test_split(test_size=0.2, stratify=label, random_state=42)`, the common
 *   recipe behind the reference figures; our model trains on it through `testKeys`.
 *
 * Not part of `pnpm bench` (it needs Debian's `python3-sklearn` and takes ~12 min on 2 cores).
 * Run: `pnpm --filter @dga/model reference`. Writes bench/reference-results.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { machineInfo, writeTextAtomic } from '@dga/bench';
import { readDataset } from '@dga/dataset';
import { getFeatureSet, type FeatureSetName } from '@dga/features';
import { findPython, sharedDataFile } from '@dga/test-support';
import { computeMetrics, DEFAULT_SEED, getPreset, streamTrainingExamples, trainModel, type TrainingExample } from '../src/index';
import { deriveSeed } from '../src/internal/rng';
import { createSplitter } from '../src/internal/split';

const here = dirname(fileURLToPath(import.meta.url));
const dataFile = process.env['DGA_DATASET'] ?? sharedDataFile('dga-training.csv');
const featureSets: FeatureSetName[] = ['tutorial', 'extended', 'bigram'];

interface Row {
  featureSet: FeatureSetName;
  split: 'ours' | 'sklearn';
  model: string;
  f1: number;
  rocAuc: number;
  trainRows: number;
  testRows: number;
  seconds: number;
}

async function loadExamples(featureSet: FeatureSetName): Promise<TrainingExample[]> {
  const examples: TrainingExample[] = [];
  for await (const example of streamTrainingExamples(readDataset(dataFile), featureSet)) examples.push(example);
  return examples;
}

/** One CSV per feature set: key, label, our split, then the features as @dga/features computes them. */
function writeFeatureFile(directory: string, featureSet: FeatureSetName, examples: TrainingExample[]): void {
  const preset = getPreset('default');
  const splitter = createSplitter(deriveSeed(DEFAULT_SEED, 'split'), preset.testFraction, preset.validationFraction);
  const names = getFeatureSet(featureSet).features.map((feature) => feature.name);
  const lines = [['key', 'label', 'split', ...names].join(',')];
  for (const example of examples) lines.push([example.key, example.label, splitter.assign(example), ...example.features].join(','));
  writeFileSync(join(directory, `${featureSet}.csv`), lines.join('\n') + '\n');
}

async function trainOurs(featureSet: FeatureSetName, examples: TrainingExample[], split: 'ours' | 'sklearn', testKeys: Set<string>): Promise<Row> {
  const result = await trainModel({ preset: 'default', featureSet, examples: () => examples, ...(split === 'sklearn' ? { testKeys } : {}) });
  const metrics = computeMetrics(result.test);
  result.model.dispose();
  return {
    featureSet,
    split,
    model: `dga default (${tf.getBackend()})`,
    f1: Number(metrics.f1.toFixed(4)),
    rocAuc: Number((metrics.rocAuc ?? Number.NaN).toFixed(4)),
    trainRows: result.split.train.legit + result.split.train.dga,
    testRows: result.test.scores.length,
    seconds: Number(result.seconds.toFixed(1)),
  };
}

async function main(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialize');
  const python = findPython();
  const directory = mkdtempSync(join(tmpdir(), 'dga-reference-'));
  const rows: Row[] = [];
  try {
    const examplesBySet = new Map<FeatureSetName, TrainingExample[]>();
    for (const featureSet of featureSets) {
      const examples = await loadExamples(featureSet);
      examplesBySet.set(featureSet, examples);
      writeFeatureFile(directory, featureSet, examples);
    }
    const boosting = spawnSync(python, [join(here, 'gradient_boosting.py'), directory, featureSets.join(',')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    if (boosting.status !== 0) throw new Error(`${python} gradient_boosting.py failed (status ${boosting.status}); it needs scikit-learn: apt-get install python3-sklearn`);
    for (const line of boosting.stdout.split('\n')) if (line.trim() !== '') rows.push(JSON.parse(line) as Row);
    const testKeys = new Set(readFileSync(join(directory, 'sklearn-test-keys.txt'), 'utf8').split('\n').filter((key) => key !== ''));
    for (const featureSet of featureSets) {
      const examples = examplesBySet.get(featureSet)!;
      for (const split of ['ours', 'sklearn'] as const) rows.push(await trainOurs(featureSet, examples, split, testKeys));
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  const version = spawnSync(python, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' }).stdout.trim();
  const document = { suite: '@dga/model same-split references', measuredAt: new Date().toISOString(), machine: machineInfo(), scikitLearn: version, rows };
  const file = join(here, 'reference-results.json');
  writeTextAtomic(file, JSON.stringify(document, null, 2) + '\n');
  console.log('| features | split | model | F1 | ROC AUC | train rows | test rows | seconds |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.featureSet} | ${row.split} | ${row.model} | ${row.f1} | ${row.rocAuc} | ${row.trainRows} | ${row.testRows} | ${row.seconds} |`);
}

await main();
