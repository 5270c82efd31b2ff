export { VERSION } from './version';
export { ModelError, ModelAbortError, isModelError } from './errors';
export type { ModelErrorCode } from './errors';
export { getPreset, presetNames } from './presets';
export type { PresetName, PresetSpec, HiddenLayerSpec } from './presets';
export { createModel, DEFAULT_SEED } from './create-model';
export { LengthEncoding } from './length-encoding-layer';
export type { LengthEncodingArgs } from './length-encoding-layer';
export { CharacterWindows } from './character-windows-layer';
export type { CharacterWindowsArgs } from './character-windows-layer';
export { DropColumns } from './drop-columns-layer';
export type { DropColumnsArgs } from './drop-columns-layer';
export { PositionMax } from './position-max-layer';
export type { CreateModelOptions } from './create-model';
export { trainModel } from './train-model';
export type {
  TrainModelOptions,
  TrainResult,
  TrainingExample,
  TrainingCallbacks,
  TrainBeginEvent,
  BatchEndEvent,
  EpochEndEvent,
  EpochLog,
  ScoredRows,
  SplitCounts,
} from './train-model';
export type { SplitName } from './internal/split';
export { streamTrainingExamples } from './stream-training-examples';
export type { LabelledRow } from './stream-training-examples';
export { computeMetrics, DEFAULT_TARGET_FPRS } from './compute-metrics';
export { evaluateModel, scoreExamples } from './evaluate-model';
export type { EvaluateModelOptions } from './evaluate-model';
export type { Metrics, MetricsInput, Confusion, OperatingPoint } from './compute-metrics';
export type { FamilyHoldoutProtocol, FamilyHoldoutResult, HoldoutFigures, HoldoutFold } from './family-holdout-result';
export { createModelCard, MODEL_CARD_SCHEMA_VERSION } from './model-card';
export type { ModelCard, DatasetReadReport } from './model-card';
export { saveModel, MODEL_FILES } from './save-model';
export type { SaveModelOptions } from './save-model';
export { loadModel } from './load-model';
export type { LoadedModel } from './load-model';
export type { Normalization } from './internal/normalization';
