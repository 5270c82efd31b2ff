export { VERSION } from './version';
export { runTraining } from './run-training';
export { DEFAULT_SEED, DEFAULT_TARGET_FPR, SAMPLE_DOMAINS } from './training-types';
export { evaluateFamilyHoldout, DEFAULT_FAMILY_HOLDOUT } from './family-holdout';
export type { FamilyHoldoutOptions } from './family-holdout';
export { assignFamilyFolds } from './family-folds';
export type { LabelledKey } from './family-folds';
export type {
  RunTrainingOptions,
  TrainingRunResult,
  TrainingEvent,
  TrainingStage,
  RunArtifacts,
  RunModelCard,
  SampleClassification,
  ModelRegistrar,
} from './training-types';
export { selectTfjsBackend, SMALL_BATCH, tfjsBackendPreference } from './tfjs-backend';
export type { TfjsBackendChoice, TfjsBackendPreference, SelectTfjsBackendOptions } from './tfjs-backend';
export { createRunDirectory, RunDirectoryError, RUN_ARTIFACTS } from './run-directory';
export type { CreateRunDirectoryOptions, PendingRunDirectory, RunDirectoryErrorCode } from './run-directory';
export { loadTrainingConfigFile, validateTrainingConfig, TrainingConfigError } from './training-config';
export type { TrainingConfig, TrainingPreset } from './training-config';
export { renderReport } from './report/render-report';
export type { ReportData } from './report/render-report';
export { rocCurve } from './report/roc-curve';
export type { RocPoint } from './report/roc-curve';
