import { MlmmError } from '../mlmm-error';
import { isRecord } from './validate';

/** An `ERR_MLMM_FILE_SYSTEM` error whose cause keeps only the message and code of `cause`. */
export function fileError(msg: string, detail: string, cause: unknown): MlmmError {
  const record = isRecord(cause) ? cause : {};
  const safeCause = Object.assign(new Error(String(record['message'] ?? cause)), typeof record['code'] === 'string' ? { code: record['code'] } : {});
  return new MlmmError({ code: 'ERR_MLMM_FILE_SYSTEM', msg, detail, cause: safeCause });
}
