export { VERSION } from './version';
export { createMlmmClient } from './mlmm-client';
export type {
  MlmmAddModelOptions,
  MlmmAddModelResult,
  MlmmAuthType,
  MlmmCallOptions,
  MlmmClient,
  MlmmClientOptions,
  MlmmDownloadOptions,
  MlmmDownloadResult,
  MlmmField,
  MlmmModel,
  MlmmModelSummary,
  MlmmRetryEvent,
  MlmmRetryOptions,
  MlmmReview,
} from './mlmm-types';
export { mlmmEngines, mlmmEngineExtension } from './engines';
export type { MlmmEngine } from './engines';
export {
  MlmmAbortError,
  MlmmError,
  MlmmHttpError,
  MlmmModelAlreadyExistsError,
  MlmmModelNotFoundError,
  MlmmModelRejectedError,
  MlmmNetworkError,
  MlmmResponseError,
  MlmmRetryError,
  MlmmTimeoutError,
  MlmmTokenError,
  formatMlmmMessage,
  isMlmmAbortError,
  isMlmmError,
  isMlmmHttpError,
  isMlmmModelAlreadyExistsError,
  isMlmmModelNotFoundError,
  isMlmmModelRejectedError,
  isMlmmNetworkError,
  isMlmmResponseError,
  isMlmmRetryError,
  isMlmmTimeoutError,
  isMlmmTokenError,
} from './mlmm-error';
export type { MlmmErrorCode, MlmmErrorOptions, MlmmRequestInfo, MlmmTimeoutKind } from './mlmm-error';
