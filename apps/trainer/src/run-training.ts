import type { Tensor } from '@tensorflow/tfjs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { readDataset, resolveDatasetSource, type DatasetSkip } from '@dga/dataset';
import { buildClassificationQuery, getFeatureSet, tryExtractLabel, VERSION as FEATURES_VERSION, type FeatureSetName } from '@dga/features';
import {
  computeMetrics,
  createModelCard,
  getPreset,
  saveModel,
  streamTrainingExamples,
  trainModel,
  VERSION as MODEL_VERSION,
  type BatchEndEvent,
  type DatasetReadReport,
  type EpochEndEvent,
  type Metrics,
  type ModelCard,
  type TrainBeginEvent,
  type TrainingExample,
} from '@dga/model';
import { createModelMetadata, createOnnxClassifier, exportToOnnx, VERSION as ONNX_VERSION } from '@dga/onnx-export';
import { renderReport, type ReportData } from './report/render-report';
import { rocCurve } from './report/roc-curve';
import { createRunDirectory, type CreateRunDirectoryOptions } from './run-directory';
import { selectTfjsBackend, type TfjsBackendChoice } from './tfjs-backend';
import type { TrainingConfig, TrainingPreset } from './training-config';
import { VERSION } from './version';

/** Default seed of every run (never the clock). */
export const DEFAULT_SEED = 42;

/** A few domains classified at the end of every run, to show the model at work. */
export const SAMPLE_DOMAINS: readonly string[] = [
  'google.com',
  'www.wikipedia.org',
  'github.io',
  'mail.bbc.co.uk',
  'xjwqkdo7zlf3qpu.com',
  'kqwhpdmsnrtg.net',
  '1002n0q11m17h017r1shexghfqf.net',
  'fizrbzba.dyndns.org',
];

/** Stages of a run, in order, announced through {@link TrainingEvent}. */
export type TrainingStage = 'backend' | 'dataset' | 'train' | 'evaluate' | 'export' | 'verify' | 'report' | 'write' | 'register';

/** Progress of a run; the caller renders it (the trainer prints nothing). */
export type TrainingEvent =
  | { type: 'stage'; stage: TrainingStage; message: string }
  | { type: 'backend'; backend: string; reason: string }
  | { type: 'dataset-progress'; bytes: number; totalBytes: number | undefined }
  | { type: 'dataset-skip'; line: number; reason: string }
  | { type: 'dataset-cache'; status: string; file: string }
  /** A file of the run directory is about to be written (`tfjs` is a folder; `.` is the final rename). */
  | { type: 'run-write'; file: string }
  | TrainBeginEvent
  | BatchEndEvent
  | EpochEndEvent;

/** Registers the exported model (the CLI passes a `@dga/mlmm-client` client). */
export interface ModelRegistrar {
  addModel(name: string, engine: string, file: Uint8Array, options?: { description?: string; force?: boolean; fileName?: string; signal?: AbortSignal }): Promise<unknown>;
}

/** Options of {@link runTraining}. */
export interface RunTrainingOptions {
  signal?: AbortSignal;
  onEvent?(event: TrainingEvent): void;
  /** `DGA_DATASET` as read by the app (the trainer never reads the environment). */
  datasetEnv?: string | undefined;
  /** How to pick tfjs's backend for a run of this batch size. @default (run) => selectTfjsBackend({ batchSize: run.batchSize }) */
  selectBackend?: (run: { batchSize: number }) => Promise<TfjsBackendChoice>;
  /** Needed when `config.register` is set. */
  registrar?: ModelRegistrar;
  /** Inputs classified with the exported model at the end. @default SAMPLE_DOMAINS */
  sampleInputs?: readonly string[];
  /** Extra version info for the model card, e.g. `{ '@dga/cli': '0.1.0' }`. */
  packages?: Record<string, string>;
  /**
   * Which `config.out` may be replaced: a previous run only, unless `overwrite`; never the
   * working directory, home, `/` or a git repository. @default {}
   */
  runDirectory?: CreateRunDirectoryOptions;
}

/** One classified sample. */
export interface SampleClassification {
  input: string;
  label: string;
  probability: number;
  malicious: boolean;
}

/** The files of a run directory (absolute paths, valid once the run returned). */
export interface RunArtifacts {
  directory: string;
  onnx: string;
  tfjs: string;
  modelCard: string;
  metrics: string;
  report: string;
}

/** What {@link runTraining} returns. */
export interface TrainingRunResult {
  artifacts: RunArtifacts;
  metrics: Metrics;
  preset: TrainingPreset;
  featureSet: FeatureSetName;
  seed: number;
  epochsRun: number;
  backend: { name: string; reason: string };
  parity: { rows: number; maxAbsDiff: number };
  verify: { rows: number; maxAbsDiff: number };
  samples: SampleClassification[];
  query: string;
  modelName: string;
  registered: boolean;
  /**
   * Why registering failed (`config.register` set). The run directory is complete anyway: register
   * `artifacts.onnx` later. Undefined when registration succeeded or was not asked for.
   */
  registerError?: Error;
  /**
   * The training data: rows used, fingerprint, and what reading it skipped (by reason) and how
   * many labels, computed from the host as classification does, differ from the `domain` column.
   */
  dataset: { source: string; rows: number; sha256: string } & DatasetReadReport;
  seconds: { train: number; total: number };
}

/** The trainer's model card: `@dga/model`'s card plus export, backend and run facts. */
export interface RunModelCard extends ModelCard {
  producedBy: string;
  backendReason: string;
  backendPackage: string;
  dataset: { source: string };
  threshold: number;
  onnx: { file: string; opset: number; inputName: string; outputName: string; parity: { rows: number; maxAbsDiff: number }; metadata: Record<string, string> };
}

const FEATURE_SAMPLE_PER_CLASS = 4000;
const PARITY_ROWS = 2048;

function emitStage(options: RunTrainingOptions, stage: TrainingStage, message: string): void {
  options.onEvent?.({ type: 'stage', stage, message });
}

function round(value: number, digits = 6): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Runs the tutorial as a reproducible pipeline: dataset → features → train → evaluate held-out →
 * export ONNX (with its parity check) → verify with ONNX Runtime → write the run directory
 * atomically (`model.onnx`, `tfjs/`, `model-card.json`, `metrics.json`, `report.html`) → optionally
 * register → build the Devo query. The same config and seed give the same metrics.
 *
 * Interrupting (the `signal`) or any failure removes the temporary run directory: `config.out`
 * is either the previous complete run or the new complete run, never a partial one.
 *
 * @example
 * const result = await runTraining({ out: 'runs/latest', dataset: 'dga-training.csv', epochs: 5 });
 * console.log(result.metrics.f1, result.artifacts.onnx);
 */
export async function runTraining(config: TrainingConfig, options: RunTrainingOptions = {}): Promise<TrainingRunResult> {
  const started = performance.now();
  const signal = options.signal;
  const preset: TrainingPreset = config.preset ?? 'default';
  const featureSetName: FeatureSetName = config.featureSet ?? getPreset(preset).featureSet;
  const featureSet = getFeatureSet(featureSetName);
  const seed = config.seed ?? DEFAULT_SEED;
  const psl = config.psl ?? 'all';
  const threshold = config.threshold ?? 0.5;
  const source = resolveDatasetSource(config.dataset, options.datasetEnv);
  const cacheDir = config.cacheDir ?? join(homedir(), '.cache', 'dga');

  // First, so that a refused or unwritable `out` fails before any work.
  const run = await createRunDirectory(config.out, options.runDirectory);
  try {
    emitStage(options, 'backend', 'choosing the tfjs backend');
    const batchSize = config.batchSize ?? getPreset(preset).batchSize;
    const backend = await (options.selectBackend ?? ((selection) => selectTfjsBackend({ batchSize: selection.batchSize })))({ batchSize });
    options.onEvent?.({ type: 'backend', backend: backend.backend, reason: backend.reason });

    // Dataset → features. The first complete pass also keeps a small, deterministic sample (the
    // first rows of each class) for the report's distributions and the ONNX parity check.
    // The first complete pass also records what reading skipped (every pass reads the same).
    const samples = { legit: [] as Float32Array[], dga: [] as Float32Array[] };
    let sampled = false;
    let datasetRows = 0;
    let read: DatasetReadReport = { skipped: 0, skippedByReason: {}, labelDisagreements: 0, labelsFromDomain: 0 };
    // Labels under the run's PSL mode (`icann`: `fizrbzba.dyndns.org` → `dyndns`), as classify will compute them.
    const dataset = readDataset(source, {
      psl,
      ...(signal === undefined ? {} : { signal }),
      ...(config.strict === undefined ? {} : { strict: config.strict }),
      ...(config.maxSkippedRows === undefined ? {} : { maxSkippedRows: config.maxSkippedRows }),
      cacheDir,
      onProgress: (event) => void options.onEvent?.({ type: 'dataset-progress', bytes: event.bytes, totalBytes: event.totalBytes }),
      onSkip: (skip: DatasetSkip) => void options.onEvent?.({ type: 'dataset-skip', line: skip.line, reason: skip.reason }),
      onCache: (event) => void options.onEvent?.({ type: 'dataset-cache', status: event.status, file: event.file }),
    });
    async function* examples(): AsyncGenerator<TrainingExample> {
      const collect = !sampled;
      let rows = 0;
      for await (const example of streamTrainingExamples(dataset, featureSetName)) {
        rows += 1;
        if (collect) {
          const bucket = example.label === 1 ? samples.dga : samples.legit;
          if (bucket.length < FEATURE_SAMPLE_PER_CLASS) bucket.push(example.features);
        }
        yield example;
      }
      if (collect) {
        sampled = true;
        datasetRows = rows;
        const stats = dataset.stats;
        read = { skipped: stats.skipped, skippedByReason: { ...stats.skippedByCode }, labelDisagreements: stats.labelDisagreements, labelsFromDomain: stats.labelsFromDomain };
      }
    }

    emitStage(options, 'dataset', `reading ${source}`);
    emitStage(options, 'train', `training preset ${preset} on feature set ${featureSetName}, seed ${seed}`);
    const trained = await trainModel({
      preset,
      featureSet: featureSetName,
      examples,
      seed,
      ...(config.epochs === undefined ? {} : { epochs: config.epochs }),
      ...(config.batchSize === undefined ? {} : { batchSize: config.batchSize }),
      ...(signal === undefined ? {} : { signal }),
      callbacks: {
        onTrainBegin: (event) => options.onEvent?.(event),
        onBatchEnd: (event) => options.onEvent?.(event),
        onEpochEnd: (event) => options.onEvent?.(event),
      },
    });
    try {
      emitStage(options, 'evaluate', 'evaluating on the held-out split');
      const metrics = computeMetrics({ scores: trained.test.scores, labels: trained.test.labels, families: trained.test.families, threshold });

      emitStage(options, 'export', 'exporting to ONNX with the parity check');
      const metadata = createModelMetadata({ featureSet: featureSet.name, seed, preset, tfjsBackend: backend.backend, pslMode: psl });
      const parityRows = [...samples.legit.slice(0, PARITY_ROWS / 2), ...samples.dga.slice(0, PARITY_ROWS / 2)];
      const parityInputs = new Float32Array(parityRows.length * featureSet.size);
      parityRows.forEach((row, index) => parityInputs.set(row, index * featureSet.size));
      const exported = await exportToOnnx(trained.model, {
        metadata,
        parityInputs,
        seed,
        producerName: '@dga/trainer',
        producerVersion: VERSION,
      });
      signal?.throwIfAborted();

      emitStage(options, 'verify', 'verifying the ONNX model with ONNX Runtime');
      const classifier = await createOnnxClassifier(exported.bytes, { intraOpNumThreads: 1 });
      let verify: { rows: number; maxAbsDiff: number };
      const sampleResults: SampleClassification[] = [];
      try {
        const onnxOutput = await classifier.predict(parityInputs);
        const tfjsOutput = await predictTfjs(backend, trained.model, parityInputs, parityRows.length, featureSet.size);
        let maxAbsDiff = 0;
        for (let index = 0; index < onnxOutput.length; index += 1) {
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onnxOutput[index]! - tfjsOutput[index]!));
        }
        verify = { rows: parityRows.length, maxAbsDiff };
        const inputs = (options.sampleInputs ?? SAMPLE_DOMAINS)
          .map((input) => ({ input, label: tryExtractLabel(input, { psl }) }))
          .filter((entry): entry is { input: string; label: string } => entry.label !== undefined && entry.label !== '');
        const rows = new Float32Array(inputs.length * featureSet.size);
        inputs.forEach((entry, index) => featureSet.compute(entry.label, rows, index * featureSet.size));
        const outputs = inputs.length === 0 ? new Float32Array(0) : await classifier.predict(rows);
        const width = outputs.length / Math.max(1, inputs.length);
        inputs.forEach((entry, index) => {
          const probability = outputs[index * width + 1]!;
          sampleResults.push({ input: entry.input, label: entry.label, probability: round(probability), malicious: probability >= threshold });
        });
      } finally {
        await classifier.dispose();
      }

      const modelName = config.register?.name ?? config.query?.modelName ?? `dga_classifier_${featureSetName}`;
      const query = buildClassificationQuery({
        modelName,
        featureSet: featureSetName,
        threshold,
        ...(config.query?.table === undefined ? {} : { table: config.query.table }),
        ...(config.query?.field === undefined ? {} : { field: config.query.field }),
        ...(config.query?.fieldKind === undefined ? {} : { fieldKind: config.query.fieldKind }),
        ...(config.query?.domain === undefined ? {} : { domain: config.query.domain }),
      });

      emitStage(options, 'write', `writing the run directory ${config.out}`);
      const artifactsIn = (directory: string): RunArtifacts => ({
        directory,
        onnx: join(directory, 'model.onnx'),
        tfjs: join(directory, 'tfjs'),
        modelCard: join(directory, 'model-card.json'),
        metrics: join(directory, 'metrics.json'),
        report: join(directory, 'report.html'),
      });
      const write = (file: string, contents: string | Uint8Array | ((path: string) => Promise<void>)): Promise<void> => {
        options.onEvent?.({ type: 'run-write', file });
        return run.write(file, contents, signal === undefined ? {} : { signal });
      };
      const producedBy = `@dga/trainer ${VERSION} (@dga/model ${MODEL_VERSION}, @dga/onnx-export ${ONNX_VERSION}, @dga/features ${FEATURES_VERSION})`;
      const baseCard = createModelCard(trained, { threshold, read, pslMode: psl });
      const card: RunModelCard = {
        ...baseCard,
        backend: backend.backend,
        packages: { ...baseCard.packages, '@dga/trainer': VERSION, '@dga/onnx-export': ONNX_VERSION, ...options.packages },
        producedBy,
        backendReason: backend.reason,
        backendPackage: backend.package,
        dataset: { source: redactSource(source) },
        threshold,
        onnx: {
          file: 'model.onnx',
          opset: 13,
          inputName: 'input',
          outputName: 'output',
          parity: { rows: exported.parity.rows, maxAbsDiff: exported.parity.maxAbsDiff },
          metadata,
        },
      };
      await write('model.onnx', exported.bytes);
      await write('tfjs', (path) => saveModel(trained.model, path, baseCard, signal === undefined ? {} : { signal }));
      await write('model-card.json', JSON.stringify(card, null, 2) + '\n');
      const history = trained.history.map((epoch) => ({
        epoch: epoch.epoch,
        loss: epoch.loss,
        accuracy: epoch.accuracy,
        valLoss: epoch.valLoss ?? null,
        valAccuracy: epoch.valAccuracy ?? null,
        valAuc: epoch.valAuc ?? null,
      }));
      await write(
        'metrics.json',
        JSON.stringify(
          {
            ...metrics,
            split: trained.split,
            dataset: read,
            history,
            bestEpoch: trained.bestEpoch,
            stoppedEarly: trained.stoppedEarly,
            parity: { rows: exported.parity.rows, maxAbsDiff: exported.parity.maxAbsDiff },
            verify,
          },
          null,
          2,
        ) + '\n',
      );

      emitStage(options, 'report', 'rendering report.html');
      const report: ReportData = {
        title: 'DGA classifier: training report',
        producedBy,
        summary: {
          preset,
          featureSet: featureSetName,
          seed,
          epochs: trained.history.length,
          bestEpoch: trained.bestEpoch,
          batchSize: trained.batchSize,
          backend: backend.backend,
          backendReason: backend.reason,
          dataset: redactSource(source),
          datasetRows: trained.dataFingerprint.rows || datasetRows,
          split: {
            train: trained.split.train.legit + trained.split.train.dga,
            validation: trained.split.validation.legit + trained.split.validation.dga,
            test: trained.split.test.legit + trained.split.test.dga,
          },
          trainSeconds: trained.seconds,
        },
        metrics: { ...metrics, rocAuc: metrics.rocAuc ?? 0 },
        history: trained.history.flatMap((epoch) => [
          { epoch: epoch.epoch, series: 'loss', value: epoch.loss },
          { epoch: epoch.epoch, series: 'accuracy', value: epoch.accuracy },
          ...(epoch.valLoss === undefined ? [] : [{ epoch: epoch.epoch, series: 'val_loss', value: epoch.valLoss }]),
          ...(epoch.valAccuracy === undefined ? [] : [{ epoch: epoch.epoch, series: 'val_accuracy', value: epoch.valAccuracy }]),
        ]),
        roc: rocCurve(trained.test.scores, trained.test.labels),
        features: featureSet.featureNames.slice(0, 5).map((feature, index) => ({
          feature,
          legit: samples.legit.map((row) => row[index]!),
          dga: samples.dga.map((row) => row[index]!),
        })),
        parity: { rows: exported.parity.rows, maxAbsDiff: exported.parity.maxAbsDiff },
        samples: sampleResults,
        query,
        artifacts: [
          { file: 'model.onnx', description: `the ONNX model (opset 13) to classify with or register in Devo` },
          { file: 'tfjs/', description: 'the tfjs LayersModel (model.json + weights)' },
          { file: 'model-card.json', description: 'seed, feature set, data fingerprint, versions, backend, metrics' },
          { file: 'metrics.json', description: 'held-out metrics, per-family recall, history per epoch' },
          { file: 'report.html', description: 'this report' },
        ],
      };
      await write('report.html', await renderReport(report));
      options.onEvent?.({ type: 'run-write', file: '.' });
      signal?.throwIfAborted();
      await run.commit();

      // The run is in place: a failed registration is reported with it, not instead of it.
      let registered = false;
      let registerError: Error | undefined;
      const artifacts = artifactsIn(run.target);
      if (config.register !== undefined) {
        if (options.registrar === undefined) throw new Error('runTraining: config.register needs options.registrar');
        emitStage(options, 'register', `registering ${config.register.name} in Devo's Model Manager`);
        try {
          await options.registrar.addModel(config.register.name, 'ONNX', exported.bytes, {
            fileName: `${config.register.name}.onnx`,
            ...(config.register.description === undefined ? {} : { description: config.register.description }),
            ...(config.register.force === true ? { force: true } : {}),
            ...(signal === undefined ? {} : { signal }),
          });
          registered = true;
        } catch (error) {
          if (signal?.aborted === true) throw error;
          registerError = error instanceof Error ? error : new Error(String(error));
        }
      }
      return {
        artifacts,
        metrics,
        preset,
        featureSet: featureSetName,
        seed,
        epochsRun: trained.history.length,
        backend: { name: backend.backend, reason: backend.reason },
        parity: { rows: exported.parity.rows, maxAbsDiff: exported.parity.maxAbsDiff },
        verify,
        samples: sampleResults,
        query,
        modelName,
        registered,
        ...(registerError === undefined ? {} : { registerError }),
        dataset: { source: redactSource(source), rows: trained.dataFingerprint.rows, sha256: trained.dataFingerprint.sha256, ...read },
        seconds: { train: trained.seconds, total: (performance.now() - started) / 1000 },
      };
    } finally {
      trained.model.dispose();
    }
  } catch (error) {
    // Every write was awaited, so none is in flight: the folder can go. If removing it fails,
    // the original error matters more, and the next run sweeps the folder.
    await run.discard().catch(() => undefined);
    throw error;
  }
}

function redactSource(source: string): string {
  if (!/^https?:\/\//i.test(source)) return relative(process.cwd(), source) || source;
  try {
    const url = new URL(source);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.href;
  } catch {
    return source;
  }
}

async function predictTfjs(
  backend: TfjsBackendChoice,
  model: { predict(input: unknown): unknown },
  rows: Float32Array,
  count: number,
  size: number,
): Promise<Float32Array> {
  const tf = backend.tf;
  const input = tf.tensor2d(rows, [count, size], 'float32');
  const output = model.predict(input) as Tensor;
  try {
    return Float32Array.from(await output.data());
  } finally {
    input.dispose();
    output.dispose();
  }
}
