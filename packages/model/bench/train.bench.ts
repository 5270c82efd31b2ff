/**
 * Training benchmarks of @dga/model on ../shared/data/dga-training.csv, each case on the backend
 * the apps choose without tfjs-node (`selectTfjsBackend`): `cpu` for the tutorial preset's batch 7,
 * `wasm` otherwise; cases named `…-cpu` / `…-wasm` run the other one for comparison. Every
 * case runs in its own child process so peak RSS is per case. Run: `pnpm bench` (in packages/model). Env:
 * - BENCH_TUTORIAL_EPOCHS (default 2): epochs of the full `tutorial` run; 10 epochs are extrapolated.
 * - BENCH_TUTORIAL_SEED (default 42): seed of that run (at 42 the tutorial recipe collapses; see README).
 * - BENCH_CASES: comma-separated subset of case names.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { measure, writeBenchResults, type BenchResult } from '@dga/bench';
import { readDataset } from '@dga/dataset';
import { getFeatureSet, type FeatureSetName } from '@dga/features';
import { sharedDataFile } from '@dga/test-support';
import { computeMetrics, createModel, streamTrainingExamples, trainModel, type PresetName, type TrainingExample, type TrainModelOptions } from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));
const dataFile = sharedDataFile('dga-training.csv');
const RESULT_MARKER = '@@bench-result ';
const STREAM_HEAP_CAP_MIB = 192;

function examplesOf(featureSet: FeatureSetName, repeat = 1): () => AsyncIterable<TrainingExample> {
  return async function* () {
    for (let pass = 0; pass < repeat; pass += 1) yield* streamTrainingExamples(readDataset(dataFile), featureSet);
  };
}

async function fullRun(name: string, preset: PresetName, featureSet: FeatureSetName, extra: Partial<TrainModelOptions> = {}, repeat = 1): Promise<BenchResult> {
  return measure({ name, unit: 'rows' }, async () => {
    const result = await trainModel({ preset, featureSet, examples: examplesOf(featureSet, repeat), ...extra });
    const metrics = computeMetrics(result.test);
    const epochsRun = result.history.length;
    const trainSeconds = result.history.reduce((total, epoch) => total + epoch.seconds, 0);
    result.model.dispose();
    return {
      items: result.dataFingerprint.rows,
      extra: {
        backend: result.backend,
        dataMode: result.dataMode,
        epochsRun,
        lastEpochTrainLoss: round(result.history.at(-1)?.loss ?? Number.NaN, 4),
        lastEpochTrainAccuracy: round(result.history.at(-1)?.accuracy ?? Number.NaN, 4),
        bestEpoch: result.bestEpoch,
        secondsPerEpoch: round(trainSeconds / epochsRun, 2),
        trainingSeconds: round(result.seconds, 2),
        msPerStep: round(result.msPerStep, 3),
        testRows: result.test.scores.length,
        testF1: round(metrics.f1, 4),
        testRocAuc: metrics.rocAuc === null ? 'null' : round(metrics.rocAuc, 4),
        testAccuracy: round(metrics.accuracy, 4),
        bestThreshold: metrics.bestThreshold.threshold ?? 'null',
        bestThresholdF1: round(metrics.bestThreshold.f1, 4),
        seed: result.seed,
        warnings: result.warnings.length === 0 ? 'none' : result.warnings.join(' | '),
      },
    };
  });
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** Loads the first `rows` training rows as packed tutorial features and one-hot labels. */
async function loadTutorialRows(rows: number): Promise<{ x: Float32Array; y: Float32Array }> {
  const x = new Float32Array(rows * 3);
  const y = new Float32Array(rows * 2);
  let index = 0;
  for await (const example of streamTrainingExamples(readDataset(dataFile), 'tutorial')) {
    if (index === rows) break;
    x.set(example.features, index * 3);
    y[index * 2 + example.label] = 1;
    index += 1;
  }
  return { x, y };
}

const PROFILE_STEPS = 700;
const PROFILE_ROUNDS = 5;

const cases: Record<string, () => Promise<BenchResult>> = {
  /**
   * ms per batch-7 step of the tutorial model: tfjs `model.fit` on tensors, `model.fitDataset`,
   * our `trainModel` loop, and tfjs's floor for the same math: the batch tensors and
   * `optimizer.minimize`, with no reads, metrics, schedule or callbacks. Interleaved in rounds (the
   * machine is shared) and reported as the median over rounds.
   */
  'tutorial-step-profile': () =>
    measure({ name: 'tutorial-step-profile', unit: 'steps' }, async () => {
      const { x, y } = await loadTutorialRows(PROFILE_STEPS * 7);
      const timings: Record<'fit' | 'fitDataset' | 'trainModel' | 'floor', number[]> = { fit: [], fitDataset: [], trainModel: [], floor: [] };
      const examples: TrainingExample[] = [];
      for (let row = 0; row < PROFILE_STEPS * 7; row += 1) {
        examples.push({ features: x.slice(row * 3, row * 3 + 3), label: y[row * 2 + 1] === 1 ? 1 : 0, subclass: 'x', key: `row${row}` });
      }
      for (let round = 0; round < PROFILE_ROUNDS; round += 1) {
        {
          const model = createModel({ preset: 'tutorial', featureSet: 'tutorial' });
          const xs = tf.tensor2d(x, [PROFILE_STEPS * 7, 3]);
          const ys = tf.tensor2d(y, [PROFILE_STEPS * 7, 2]);
          const start = performance.now();
          await model.fit(xs, ys, { batchSize: 7, epochs: 1, shuffle: true, verbose: 0 });
          timings.fit.push((performance.now() - start) / PROFILE_STEPS);
          xs.dispose();
          ys.dispose();
          model.dispose();
        }
        {
          const model = createModel({ preset: 'tutorial', featureSet: 'tutorial' });
          const dataset = tf.data.generator(function* () {
            for (let step = 0; step < PROFILE_STEPS; step += 1) {
              yield { xs: tf.tensor2d(x.subarray(step * 21, step * 21 + 21), [7, 3]), ys: tf.tensor2d(y.subarray(step * 14, step * 14 + 14), [7, 2]) };
            }
          });
          const start = performance.now();
          await model.fitDataset(dataset, { epochs: 1, verbose: 0 });
          timings.fitDataset.push((performance.now() - start) / PROFILE_STEPS);
          model.dispose();
        }
        {
          const model = createModel({ preset: 'tutorial', featureSet: 'tutorial' });
          const hidden = model.layers.slice(0, -1);
          const [kernel, bias] = model.layers.at(-1)!.trainableWeights.map((weight) => weight.read());
          const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
          const start = performance.now();
          for (let step = 0; step < PROFILE_STEPS; step += 1) {
            const xs = tf.tensor2d(x.subarray(step * 21, step * 21 + 21), [7, 3]);
            const ys = tf.tensor2d(y.subarray(step * 14, step * 14 + 14), [7, 2]);
            model.optimizer.minimize(
              () => {
                let output: tf.Tensor = xs;
                for (const layer of hidden) output = layer.apply(output, { training: true }) as tf.Tensor;
                let loss = tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(ys, tf.add(tf.matMul(output, kernel!), bias!), undefined, undefined, tf.Reduction.MEAN);
                for (const penalty of model.calculateLosses()) loss = tf.add(loss, penalty);
                return loss;
              },
              false,
              variables,
            );
            tf.dispose([xs, ys]);
          }
          timings.floor.push((performance.now() - start) / PROFILE_STEPS);
          model.dispose();
        }
        {
          // testFraction 0.01 so nearly all rows train; msPerStep excludes the scan and scoring.
          const result = await trainModel({ preset: 'tutorial', featureSet: 'tutorial', examples: () => examples, epochs: 1, testFraction: 0.01 });
          timings.trainModel.push(result.msPerStep);
          result.model.dispose();
        }
      }
      const median = (values: number[]): number => round([...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!, 3);
      return {
        items: PROFILE_STEPS * 3 * PROFILE_ROUNDS,
        extra: {
          fitTensorsMsPerStep: median(timings.fit),
          fitDatasetMsPerStep: median(timings.fitDataset),
          trainModelMsPerStep: median(timings.trainModel),
          tfjsFloorMsPerStep: median(timings.floor),
          kerasReferenceMsPerStep: 1.45,
          rounds: PROFILE_ROUNDS,
          stepsPerRound: PROFILE_STEPS,
          backend: tf.getBackend(),
        },
      };
    }),

  'tutorial-preset': async () => {
    const epochs = Number(process.env['BENCH_TUTORIAL_EPOCHS'] ?? '2');
    const seed = Number(process.env['BENCH_TUTORIAL_SEED'] ?? '42');
    const result = await fullRun(`tutorial-preset (${epochs} of 10 epochs, tutorial features, seed ${seed})`, 'tutorial', 'tutorial', { epochs, seed });
    const perEpoch = Number(result.extra?.['secondsPerEpoch']);
    result.extra = { ...result.extra, extrapolatedTenEpochSeconds: round(perEpoch * 10, 1), note: epochs < 10 ? `trained ${epochs} epoch(s); 10-epoch time extrapolated, F1/AUC are after ${epochs} epoch(s)` : 'full 10-epoch run' };
    return result;
  },

  /** The same recipe at another seed: seed 42 loses every ReLU, seed 1 trains (see README). */
  'tutorial-preset-seed-1': () => fullRun('tutorial-preset (1 of 10 epochs, tutorial features, seed 1)', 'tutorial', 'tutorial', { epochs: 1, seed: 1 }),

  'default-preset': () => fullRun('default-preset (bigram features)', 'default', 'bigram'),

  'default-preset-cpu': () => fullRun('default-preset (bigram features, cpu backend)', 'default', 'bigram'),

  'tutorial-preset-wasm': () => fullRun('tutorial-preset (1 of 10 epochs, tutorial features, seed 1, wasm backend)', 'tutorial', 'tutorial', { epochs: 1, seed: 1 }),

  'default-preset-extended': () => fullRun('default-preset (extended features)', 'default', 'extended'),

  'default-preset-tutorial-features': () => fullRun('default-preset (tutorial features)', 'default', 'tutorial'),

  /** Memory flatness: the same 1-epoch run on 1× and on 10× the file, in stream mode. */
  'stream-1x': () => fullRun('memory check: default, 1 epoch, stream mode, 1x data', 'default', 'bigram', { epochs: 1, cacheBytes: 0 }),
  'stream-10x': () => fullRun('memory check: default, 1 epoch, stream mode, 10x data', 'default', 'bigram', { epochs: 1, cacheBytes: 0 }, 10),
};

async function runChild(name: string): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  const backend = name.endsWith('-cpu') || (name.startsWith('tutorial') && !name.endsWith('-wasm')) ? 'cpu' : 'wasm';
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not initialize`);
  const run = cases[name];
  if (run === undefined) throw new Error(`unknown bench case ${name}`);
  const result = await run();
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

function main(): void {
  const selected = process.env['BENCH_CASES']?.split(',') ?? Object.keys(cases);
  const results: BenchResult[] = [];
  for (const name of selected) {
    // The stream cases run under a fixed V8 heap cap: finishing 10x the data inside the same cap
    // as 1x shows the memory is bounded, not just lazily collected.
    const heapCap = name.startsWith('stream-') ? [`--max-old-space-size=${STREAM_HEAP_CAP_MIB}`] : [];
    const child = spawnSync(process.execPath, [...process.execArgv, ...heapCap, fileURLToPath(import.meta.url), '--case', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    const line = child.stdout.split('\n').find((text) => text.startsWith(RESULT_MARKER));
    process.stdout.write(child.stdout.split('\n').filter((text) => text.length > 0 && !text.startsWith(RESULT_MARKER)).join('\n') + '\n');
    if (child.status !== 0 || line === undefined) throw new Error(`bench case ${name} failed with status ${child.status}`);
    results.push(JSON.parse(line.slice(RESULT_MARKER.length)) as BenchResult);
  }
  const oneX = results.find((result) => result.name.includes('1x data'));
  const tenX = results.find((result) => result.name.includes('10x data'));
  if (oneX !== undefined && tenX !== undefined) {
    const note = `stream mode, V8 heap capped at ${STREAM_HEAP_CAP_MIB} MiB for both runs`;
    oneX.extra = { ...oneX.extra, heapCapMiB: STREAM_HEAP_CAP_MIB };
    tenX.extra = { ...tenX.extra, heapCapMiB: STREAM_HEAP_CAP_MIB, rssRatioTo1x: round(tenX.peakRssBytes / oneX.peakRssBytes, 2), heapRatioTo1x: round(tenX.peakHeapBytes / oneX.peakHeapBytes, 2), note };
    console.log(`memory flatness: peak RSS 1x ${(oneX.peakRssBytes / 2 ** 20).toFixed(0)} MiB vs 10x ${(tenX.peakRssBytes / 2 ** 20).toFixed(0)} MiB (ratio ${(tenX.peakRssBytes / oneX.peakRssBytes).toFixed(2)})`);
  }
  const file = join(here, 'results.json');
  if (process.env['BENCH_CASES'] === undefined) writeBenchResults(file, '@dga/model train', results);
  else writeBenchResults(join(here, 'results.partial.json'), '@dga/model train (partial)', results);
  console.log(`features: ${getFeatureSet('bigram').size} bigram, ${getFeatureSet('extended').size} extended, ${getFeatureSet('tutorial').size} tutorial`);
}

const caseIndex = process.argv.indexOf('--case');
if (caseIndex >= 0) await runChild(process.argv[caseIndex + 1] ?? '');
else main();
