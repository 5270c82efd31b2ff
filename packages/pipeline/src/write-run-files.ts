import { VERSION as FEATURES_VERSION, type FeatureSet, type PslMode } from '@dga/features';
import { createModelCard, saveModel, VERSION as MODEL_VERSION, type DatasetReadReport, type FamilyHoldoutResult, type Metrics, type TrainResult } from '@dga/model';
import { VERSION as ONNX_VERSION } from '@dga/onnx-export';
import type { VerifiedExport } from './export-and-verify';
import { renderReport, type ReportData } from './report/render-report';
import { rocCurve } from './report/roc-curve';
import type { PendingRunDirectory } from './run-directory';
import type { TfjsBackendChoice } from './tfjs-backend';
import type { TrainingPreset } from './training-config';
import type { RunModelCard, RunTrainingOptions, TrainingStage } from './training-types';
import { PIPELINE_PRODUCER, VERSION } from './version';

/** Everything a run writes about itself. */
export interface RunFacts {
  trained: TrainResult;
  metrics: Metrics;
  exported: VerifiedExport;
  backend: TfjsBackendChoice;
  preset: TrainingPreset;
  featureSet: FeatureSet;
  seed: number;
  threshold: number;
  /** The validation false-positive rate `threshold` was chosen for; null when it was given or kept. */
  targetFpr: number | null;
  familyHoldout: FamilyHoldoutResult;
  psl: PslMode;
  /** The dataset's source as shown to users (no credentials, no query string). */
  source: string;
  read: DatasetReadReport;
  datasetRows: number;
  samples: { legit: Float32Array[]; dga: Float32Array[] };
  query: string;
}

/**
 * Fills the temporary run directory: `model.onnx`, `tfjs/`, `model-card.json`, `metrics.json`,
 * then `report.html`; each file is announced with a `run-write` event before it is written.
 */
export async function writeRunFiles(
  run: PendingRunDirectory,
  facts: RunFacts,
  options: RunTrainingOptions,
  emitStage: (stage: TrainingStage, message: string) => void,
): Promise<void> {
  const { trained, exported, backend, threshold } = facts;
  const signal = options.signal;
  const write = (file: string, contents: string | Uint8Array | ((path: string) => Promise<void>)): Promise<void> => {
    options.onEvent?.({ type: 'run-write', file });
    return run.write(file, contents, signal === undefined ? {} : { signal });
  };
  const producedBy = `${PIPELINE_PRODUCER} ${VERSION} (@dga/model ${MODEL_VERSION}, @dga/onnx-export ${ONNX_VERSION}, @dga/features ${FEATURES_VERSION})`;
  const baseCard = createModelCard(trained, {
    threshold,
    read: facts.read,
    pslMode: facts.psl,
    familyHoldout: facts.familyHoldout,
    ...(facts.targetFpr === null ? {} : { targetFpr: facts.targetFpr }),
  });
  const card: RunModelCard = {
    ...baseCard,
    backend: backend.backend,
    packages: { ...baseCard.packages, [PIPELINE_PRODUCER]: VERSION, '@dga/onnx-export': ONNX_VERSION, ...options.packages },
    producedBy,
    backendReason: backend.reason,
    backendPackage: backend.package,
    dataset: { source: facts.source },
    threshold,
    onnx: { file: 'model.onnx', opset: 13, inputName: 'input', outputName: 'output', parity: exported.parity, metadata: exported.metadata },
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
  const metricsFile = {
    ...facts.metrics,
    targetFpr: facts.targetFpr,
    familyHoldout: facts.familyHoldout,
    split: trained.split,
    dataset: facts.read,
    history,
    bestEpoch: trained.bestEpoch,
    stoppedEarly: trained.stoppedEarly,
    parity: exported.parity,
    verify: exported.verify,
  };
  await write('metrics.json', JSON.stringify(metricsFile, null, 2) + '\n');

  emitStage('report', 'rendering report.html');
  await write('report.html', await renderReport(reportData(facts, producedBy)));
}

/** The data of `report.html`. */
function reportData(facts: RunFacts, producedBy: string): ReportData {
  const { trained, metrics, exported, backend } = facts;
  return {
    title: 'DGA classifier: training report',
    producedBy,
    summary: {
      preset: facts.preset,
      featureSet: facts.featureSet.name,
      seed: facts.seed,
      epochs: trained.history.length,
      bestEpoch: trained.bestEpoch,
      batchSize: trained.batchSize,
      backend: backend.backend,
      backendReason: backend.reason,
      dataset: facts.source,
      datasetRows: trained.dataFingerprint.rows || facts.datasetRows,
      read: facts.read,
      split: {
        train: trained.split.train.legit + trained.split.train.dga,
        validation: trained.split.validation.legit + trained.split.validation.dga,
        test: trained.split.test.legit + trained.split.test.dga,
      },
      trainSeconds: trained.seconds,
    },
    metrics: { ...metrics, rocAuc: metrics.rocAuc ?? 0, targetFpr: facts.targetFpr },
    familyHoldout: facts.familyHoldout,
    history: trained.history.flatMap((epoch) => [
      { epoch: epoch.epoch, series: 'loss', value: epoch.loss },
      { epoch: epoch.epoch, series: 'accuracy', value: epoch.accuracy },
      ...(epoch.valLoss === undefined ? [] : [{ epoch: epoch.epoch, series: 'val_loss', value: epoch.valLoss }]),
      ...(epoch.valAccuracy === undefined ? [] : [{ epoch: epoch.epoch, series: 'val_accuracy', value: epoch.valAccuracy }]),
    ]),
    roc: rocCurve(trained.test.scores, trained.test.labels),
    features: facts.featureSet.featureNames.slice(0, 5).map((feature, index) => ({
      feature,
      legit: facts.samples.legit.map((row) => row[index]!),
      dga: facts.samples.dga.map((row) => row[index]!),
    })),
    parity: exported.parity,
    samples: exported.samples,
    query: facts.query,
    artifacts: [
      { file: 'model.onnx', description: `the ONNX model (opset 13) to classify with or register in Devo` },
      { file: 'tfjs/', description: 'the tfjs LayersModel (model.json + weights)' },
      { file: 'model-card.json', description: 'seed, feature set, data fingerprint, versions, backend, metrics' },
      { file: 'metrics.json', description: 'held-out metrics, operating points, per-family recall, family-held-out evaluation, history per epoch' },
      { file: 'report.html', description: 'this report' },
    ],
  };
}
