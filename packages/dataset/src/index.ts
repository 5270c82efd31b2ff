export { VERSION } from './version';
export { DatasetError, isDatasetError } from './dataset-error';
export type { DatasetErrorCode } from './dataset-error';
export { readDataset, DATASET_SOURCE_REMEDY, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_SKIPPED_FRACTION } from './read-dataset';
export type { DatasetRow, DatasetSkip, DatasetSkipCode, DatasetStats, DatasetStream, ReadDatasetOptions } from './read-dataset';
export type { DatasetCacheStatus } from './internal/http-source';
export { DEFAULT_DATASET_URL, resolveDatasetSource } from './resolve-dataset-source';
