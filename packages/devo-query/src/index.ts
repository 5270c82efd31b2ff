export { createQueryClient } from './query-client';
export type {
  QueryAuth,
  QueryClient,
  QueryClientOptions,
  QueryColumn,
  QueryFormat,
  QueryJob,
  QueryOptions,
  QueryProgress,
  QueryRetryEvent,
  QueryRetryOptions,
  QueryStream,
  RequestOptions,
  TableField,
} from './query-types';
export { resolveQueryDate, evaluateDateExpression } from './dates';
export type { QueryDate } from './dates';
export { DevoQueryError, QueryDataError, QueryHttpError, QueryResponseError, QueryTimeoutError, isDevoQueryError, isQueryTimeoutError } from './errors';
export type { DevoQueryErrorCode, DevoQueryErrorOptions, QueryTimeoutKind, ServerErrorDetails } from './errors';
export { VERSION } from './version';
