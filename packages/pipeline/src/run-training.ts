import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { resolveDatasetSource } from '@dga/dataset';
import { getFeatureSet, type FeatureSetName } from '@dga/features';
import { computeMetrics, getPreset, trainModel, type FamilyHoldoutResult, type TrainResult } from '@dga/model';
import { chooseThreshold } from './choose-threshold';
import { exportAndVerify } from './export-and-verify';
import { DEFAULT_FAMILY_HOLDOUT, evaluateFamilyHoldout } from './family-holdout';
import { registerModel } from './register-model';
import { createRunDirectory } from './run-directory';
import { selectTfjsBackend } from './tfjs-backend';
import type { TrainingConfig, TrainingPreset } from './training-config';
import { readTrainingData, type TrainingData } from './training-data';
import { buildTrainingQuery, trainingModelName } from './training-query';
import { DEFAULT_SEED, DEFAULT_TARGET_FPR, type RunArtifacts, type RunTrainingOptions, type TrainingRunResult, type TrainingStage } from './training-types';
import { writeRunFiles } from './write-run-files';

export { DEFAULT_SEED, DEFAULT_TARGET_FPR, SAMPLE_DOMAINS } from './training-types';
export type {
  ModelRegistrar,
  RunArtifacts,
  RunModelCard,
  RunTrainingOptions,
  SampleClassification,
  TrainingEvent,
  TrainingRunResult,
  TrainingStage,
} from './training-types';

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
  const emitStage = (stage: TrainingStage, message: string): void => options.onEvent?.({ type: 'stage', stage, message });
  const preset: TrainingPreset = config.preset ?? 'default';
  const featureSetName: FeatureSetName = config.featureSet ?? getPreset(preset).featureSet;
  const featureSet = getFeatureSet(featureSetName);
  const seed = config.seed ?? DEFAULT_SEED;
  const psl = config.psl ?? 'all';
  const targetFpr = config.threshold === undefined ? (config.targetFpr ?? DEFAULT_TARGET_FPR) : undefined;
  const source = resolveDatasetSource(config.dataset, options.datasetEnv);
  const cacheDir = config.cacheDir ?? join(homedir(), '.cache', 'dga');

  // A query setting the LINQ cannot hold fails now, not after the training (the threshold comes later).
  buildTrainingQuery(config, featureSetName, 0.5);
  // First, so that a refused or unwritable `out` fails before any work.
  const run = await createRunDirectory(config.out, options.runDirectory);
  try {
    emitStage('backend', 'choosing the tfjs backend');
    const batchSize = config.batchSize ?? getPreset(preset).batchSize;
    const backend = await (options.selectBackend ?? ((selection) => selectTfjsBackend({ batchSize: selection.batchSize })))({ batchSize });
    options.onEvent?.({ type: 'backend', backend: backend.backend, reason: backend.reason });

    const data = readTrainingData(source, featureSetName, { psl, cacheDir, config }, options);
    emitStage('dataset', `reading ${source}`);
    emitStage('train', `training preset ${preset} on feature set ${featureSetName}, seed ${seed}`);
    const trained = await trainModel({
      preset,
      featureSet: featureSetName,
      examples: data.examples,
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
      emitStage('evaluate', 'evaluating on the held-out split');
      const decision = decideThreshold(trained, config.threshold, targetFpr);
      if (decision.note !== undefined) options.onEvent?.({ type: 'warning', message: decision.note });
      const threshold = decision.value;
      const metrics = computeMetrics({ scores: trained.test.scores, labels: trained.test.labels, families: trained.test.families, threshold });
      const holdoutStarted = performance.now();
      const familyHoldout = await runFamilyHoldout(config, data, { preset, featureSetName, seed, targetFpr, threshold, emitStage, options });
      const holdoutSeconds = familyHoldout.status === 'done' ? (performance.now() - holdoutStarted) / 1000 : 0;
      const exported = await exportAndVerify(
        { model: trained.model, featureSet, samples: data.samples, seed, preset, psl, threshold, targetFpr: decision.targetFpr ?? undefined, backend, sampleInputs: options.sampleInputs, signal },
        emitStage,
      );
      const modelName = trainingModelName(config, featureSetName);
      const query = buildTrainingQuery(config, featureSetName, threshold);

      emitStage('write', `writing the run directory ${config.out}`);
      const read = data.read();
      const facts = { trained, metrics, exported, backend, preset, featureSet, seed, threshold, targetFpr: decision.targetFpr, familyHoldout, psl, source: redactSource(source, options.runDirectory?.cwd), read, datasetRows: data.rows(), samples: data.samples, query };
      await writeRunFiles(run, facts, options, emitStage);
      options.onEvent?.({ type: 'run-write', file: '.' });
      signal?.throwIfAborted();
      await run.commit();

      const registration = await registerModel(config, exported.bytes, options, emitStage);
      return {
        artifacts: artifactsIn(run.target),
        metrics,
        threshold: decision,
        familyHoldout,
        preset,
        featureSet: featureSetName,
        seed,
        epochsRun: trained.history.length,
        backend: { name: backend.backend, reason: backend.reason },
        parity: exported.parity,
        verify: exported.verify,
        samples: exported.samples,
        query,
        modelName,
        ...registration,
        dataset: { source: redactSource(source, options.runDirectory?.cwd), rows: trained.dataFingerprint.rows, sha256: trained.dataFingerprint.sha256, ...read },
        seconds: { train: trained.seconds, holdout: holdoutSeconds, total: (performance.now() - started) / 1000 },
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

/** The model's threshold: the given one, or the one chosen on the validation split at `targetFpr`. */
function decideThreshold(trained: TrainResult, given: number | undefined, targetFpr: number | undefined): TrainingRunResult['threshold'] {
  if (given !== undefined || targetFpr === undefined) return { value: given ?? 0.5, targetFpr: null };
  const chosen = chooseThreshold(trained.validation, targetFpr, 0.5);
  return chosen.chosen ? { value: chosen.threshold, targetFpr } : { value: chosen.threshold, targetFpr: null, ...(chosen.note === undefined ? {} : { note: chosen.note }) };
}

/** Runs the family-held-out folds of the recipe, unless the config turns them off. */
async function runFamilyHoldout(
  config: TrainingConfig,
  data: TrainingData,
  run: {
    preset: TrainingPreset;
    featureSetName: FeatureSetName;
    seed: number;
    targetFpr: number | undefined;
    threshold: number;
    emitStage: (stage: TrainingStage, message: string) => void;
    options: RunTrainingOptions;
  },
): Promise<FamilyHoldoutResult> {
  if (config.familyHoldout === false) return { status: 'skipped', reason: 'turned off' };
  const protocol = { ...DEFAULT_FAMILY_HOLDOUT, ...(typeof config.familyHoldout === 'object' ? config.familyHoldout : {}) };
  run.emitStage('holdout', `family-held-out evaluation: up to ${protocol.folds} folds (no more than the data has DGA families) of ${protocol.epochs} epochs, each without a group of DGA families`);
  const { signal } = run.options;
  return evaluateFamilyHoldout(data.labelledKeys(), {
    preset: run.preset,
    featureSet: run.featureSetName,
    seed: run.seed,
    protocol,
    targetFpr: run.targetFpr,
    threshold: run.threshold,
    ...(config.batchSize === undefined ? {} : { batchSize: config.batchSize }),
    ...(signal === undefined ? {} : { signal }),
    onFold: (fold, folds) => run.options.onEvent?.({ type: 'holdout-fold', fold, folds }),
  });
}

function artifactsIn(directory: string): RunArtifacts {
  return {
    directory,
    onnx: join(directory, 'model.onnx'),
    tfjs: join(directory, 'tfjs'),
    modelCard: join(directory, 'model-card.json'),
    metrics: join(directory, 'metrics.json'),
    report: join(directory, 'report.html'),
  };
}

/**
 * The dataset as the run records it: a file relative to the directory the user works in
 * (`runDirectory.cwd`, which the CLI sets to where the command was typed), a URL without its
 * credentials and query.
 */
function redactSource(source: string, cwd = process.cwd()): string {
  if (!/^https?:\/\//i.test(source)) return relative(cwd, source) || source;
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
