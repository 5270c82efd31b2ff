import type { FeatureSetName } from '@dga/features';
import type { BatchEndEvent, DatasetReadReport, EpochEndEvent, FamilyHoldoutResult, HoldoutFold, Metrics, ModelCard, TrainBeginEvent } from '@dga/model';
import type { CreateRunDirectoryOptions } from './run-directory';
import type { TfjsBackendChoice } from './tfjs-backend';
import type { TrainingPreset } from './training-config';

/** Default seed of every run (never the clock). */
export const DEFAULT_SEED = 42;

/** Default `targetFpr` of a run: the threshold flags 1 % of the validation split's legit rows. */
export const DEFAULT_TARGET_FPR = 0.01;

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
export type TrainingStage = 'backend' | 'dataset' | 'train' | 'evaluate' | 'holdout' | 'export' | 'verify' | 'report' | 'write' | 'register';

/** Progress of a run; the caller renders it (the pipeline prints nothing). */
export type TrainingEvent =
  | { type: 'stage'; stage: TrainingStage; message: string }
  | { type: 'backend'; backend: string; reason: string }
  | { type: 'dataset-progress'; bytes: number; totalBytes: number | undefined }
  | { type: 'dataset-skip'; line: number; reason: string }
  | { type: 'dataset-cache'; status: string; file: string }
  /** A file of the run directory is about to be written (`tfjs` is a folder; `.` is the final rename). */
  | { type: 'run-write'; file: string }
  /** A family-held-out fold finished (`folds` in all). */
  | { type: 'holdout-fold'; fold: HoldoutFold; folds: number }
  /** A note about the run worth showing, e.g. why the threshold was not chosen at the target false-positive rate. */
  | { type: 'warning'; message: string }
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
  /** `DGA_DATASET` as read by the app (the pipeline never reads the environment). */
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
   * The decision threshold of the model (`metrics.threshold`, recorded as `dga.threshold`) and the
   * validation false-positive rate it was chosen for (null when it was given, or kept for lack of a
   * validation split: then `note` says why).
   */
  threshold: { value: number; targetFpr: number | null; note?: string };
  /** How the recipe does on DGA families it never saw, or why that was skipped. */
  familyHoldout: FamilyHoldoutResult;
  /**
   * The training data: rows used, fingerprint, and what reading it skipped (by reason) and how
   * many labels, computed from the host as classification does, differ from the `domain` column.
   */
  dataset: { source: string; rows: number; sha256: string } & DatasetReadReport;
  /** Wall times: training of the model, the family-held-out folds (0 when skipped), the whole run. */
  seconds: { train: number; holdout: number; total: number };
}

/** The pipeline's model card: `@dga/model`'s card plus export, backend and run facts. */
export interface RunModelCard extends ModelCard {
  producedBy: string;
  backendReason: string;
  backendPackage: string;
  dataset: { source: string };
  threshold: number;
  onnx: { file: string; opset: number; inputName: string; outputName: string; parity: { rows: number; maxAbsDiff: number }; metadata: Record<string, string> };
}

