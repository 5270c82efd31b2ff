// Export time of the real model presets, and classification throughput of ONNX Runtime (one
// thread and ORT's default) next to tfjs predict on the same 1M rows. Each case runs in its own
// child process so its peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { measure, writeBenchResults, type BenchResult } from '@dga/bench';
import { getFeatureSet } from '@dga/features';
import { createModel } from '@dga/model';
import { createOnnxClassifier, exportToOnnx } from '../src/index';
import { createRng } from '../src/internal/rng';

const here = dirname(fileURLToPath(import.meta.url));
const ROWS = 1_000_000;
/**
 * tfjs's pure-JS cpu backend needs minutes for 1M rows of the default preset; it scores the
 * first 100k of the same rows instead (throughput is per row either way).
 */
const TFJS_ROWS: Record<Preset, number> = { tutorial: ROWS, default: 100_000 };
const EXPORTS = 5;

type Preset = 'tutorial' | 'default';
const featureSetOf = { tutorial: 'tutorial', default: 'bigram' } as const;

function presetModel(preset: Preset): tf.LayersModel {
  return createModel({ preset, featureSet: featureSetOf[preset], seed: 42 });
}

/** Seeded rows in plausible feature ranges (length 1..40, entropy 0..4.5, ratios 0..1). */
function featureRows(count: number, width: number): Float32Array {
  const rng = createRng(42);
  const rows = new Float32Array(count * width);
  for (let index = 0; index < rows.length; index += 1) {
    const column = index % width;
    rows[index] = column === 0 ? 1 + Math.floor(rng() * 40) : column === 1 ? rng() * 4.5 : rng();
  }
  return rows;
}

const cases: Record<string, () => Promise<BenchResult>> = {
  'export-tutorial': () => exportCase('tutorial'),
  'export-default': () => exportCase('default'),
  'ort-1-thread-tutorial': () => ortCase('tutorial', 1),
  'ort-default-threads-tutorial': () => ortCase('tutorial', undefined),
  'tfjs-predict-tutorial': () => tfjsCase('tutorial'),
  'ort-1-thread-default': () => ortCase('default', 1),
  'ort-default-threads-default': () => ortCase('default', undefined),
  'tfjs-predict-default': () => tfjsCase('default'),
};

async function exportCase(preset: Preset): Promise<BenchResult> {
  const model = presetModel(preset);
  let bytes = 0;
  let maxAbsDiff = 0;
  let parityRows = 0;
  const result = await measure({ name: `exportToOnnx ${preset} preset (with parity), x${EXPORTS}`, unit: 'exports', warmup: true }, async () => {
    for (let run = 0; run < EXPORTS; run += 1) {
      const exported = await exportToOnnx(model);
      bytes = exported.bytes.length;
      maxAbsDiff = exported.parity.maxAbsDiff;
      parityRows = exported.parity.rows;
    }
    return EXPORTS;
  });
  result.extra = { msPerExport: (result.seconds * 1000) / EXPORTS, onnxBytes: bytes, parityRows, maxAbsDiff };
  return result;
}

async function ortCase(preset: Preset, threads: number | undefined): Promise<BenchResult> {
  const model = presetModel(preset);
  const width = getFeatureSet(featureSetOf[preset]).size;
  const { bytes } = await exportToOnnx(model);
  const rows = featureRows(ROWS, width);
  const classifier = await createOnnxClassifier(bytes, threads === undefined ? {} : { intraOpNumThreads: threads });
  await classifier.predict(rows.subarray(0, 8192 * width)); // warm the session
  const label = threads === undefined ? 'default threads' : `${threads} thread`;
  const result = await measure({ name: `ORT classify ${preset} preset, ${label}, batch 8192`, unit: 'rows' }, async () => {
    const scores = await classifier.predict(rows);
    return { items: scores.length / 2, extra: { features: width } };
  });
  await classifier.dispose();
  return result;
}

async function tfjsCase(preset: Preset): Promise<BenchResult> {
  await tf.setBackend('cpu');
  const model = presetModel(preset);
  const width = getFeatureSet(featureSetOf[preset]).size;
  const count = TFJS_ROWS[preset];
  const rows = featureRows(count, width);
  const chunk = 65_536;
  return measure({ name: `tfjs predict (cpu backend) ${preset} preset, ${count} rows, batch 8192`, unit: 'rows' }, async () => {
    let done = 0;
    for (let start = 0; start < count; start += chunk) {
      const size = Math.min(chunk, count - start);
      const output = tf.tidy(() => model.predict(tf.tensor2d(rows.subarray(start * width, (start + size) * width), [size, width]), { batchSize: 8192 }) as tf.Tensor);
      done += (await output.data()).length / 2;
      output.dispose();
    }
    return { items: done, extra: { features: width, backend: tf.getBackend() } };
  });
}

const requested = process.argv[2];
if (requested !== undefined) {
  const run = cases[requested];
  if (run === undefined) throw new Error(`unknown case ${requested}; one of ${Object.keys(cases).join(', ')}`);
  const result = await run();
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
} else {
  const results: BenchResult[] = [];
  for (const name of Object.keys(cases)) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 2 ** 20,
    });
    const line = child.stdout.split('\n').find((text) => text.startsWith('RESULT '));
    if (child.status !== 0 || line === undefined) throw new Error(`bench case ${name} failed (exit ${child.status})`);
    const result = JSON.parse(line.slice('RESULT '.length)) as BenchResult;
    console.log(child.stdout.split('\n').filter((text) => text.includes(' in ') && !text.startsWith('RESULT')).join('\n'));
    results.push(result);
  }
  writeBenchResults(join(here, 'results.json'), '@dga/onnx-export', results);
}
