import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import {
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
  isMlmmError,
  isMlmmHttpError,
  isMlmmModelNotFoundError,
  isMlmmRetryError,
  isMlmmTokenError,
} from './mlmm-error';

const request = { method: 'GET', url: 'http://h/mlmodelmanager/models', status: 403, body: '{}' };

describe('MlmmError', () => {
  it('has the string form of docs/reference/mlmm-api.md §7: "<serverCode>: <msg>" when serverCode ≠ 0, else msg', () => {
    expect(formatMlmmMessage(5, 'Token invalid or expired')).toBe('5: Token invalid or expired');
    expect(formatMlmmMessage(0, "'m'")).toBe("'m'");
    const error = new MlmmError({ code: 'ERR_MLMM_INVALID_NAME', msg: "Invalid name: ''" });
    expect(error.message).toBe("Invalid name: ''");
    expect(error.serverCode).toBe(0);
    expect(error.code).toBe('ERR_MLMM_INVALID_NAME');
  });

  it('guards follow the class hierarchy', () => {
    const token = new MlmmTokenError({ code: 'ERR_MLMM_TOKEN', serverCode: 5, msg: 'Token invalid or expired', ...request });
    const http = new MlmmHttpError({ code: 'ERR_MLMM_HTTP_STATUS', serverCode: 0, msg: 'Unexpected error', ...request });
    expect([isMlmmError(token), isMlmmHttpError(token), isMlmmTokenError(token)]).toEqual([true, true, true]);
    expect([isMlmmError(http), isMlmmHttpError(http), isMlmmTokenError(http)]).toEqual([true, true, false]);
    expect(isMlmmModelNotFoundError(token)).toBe(false);
    expect(isMlmmError(new Error('x'))).toBe(false);
    expect(isMlmmError(null)).toBe(false);
    expect(token).toBeInstanceOf(MlmmHttpError);
    expect(token.name).toBe('MlmmTokenError');
  });

  it('isInstance recognises errors from another copy of the package (Symbol.for marker)', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('dga.mlmm-client.error')]: true, [Symbol.for('dga.mlmm-client.error.model-not-found')]: true });
    expect(MlmmError.isInstance(foreign)).toBe(true);
    expect(MlmmModelNotFoundError.isInstance(foreign)).toBe(true);
    expect(MlmmTokenError.isInstance(foreign)).toBe(false);
  });

  it('MlmmRetryError keeps every attempt and takes serverCode and msg of the last', () => {
    const first = new MlmmHttpError({ code: 'ERR_MLMM_HTTP_STATUS', serverCode: 503, msg: 'Busy', ...request, status: 503 });
    const last = new MlmmHttpError({ code: 'ERR_MLMM_HTTP_STATUS', serverCode: 0, msg: 'Unexpected error', ...request, status: 502 });
    const error = new MlmmRetryError([first, last]);
    expect(isMlmmRetryError(error)).toBe(true);
    expect(error.errors).toEqual([first, last]);
    expect(error).toMatchObject({ code: 'ERR_MLMM_RETRIES_EXHAUSTED', serverCode: 0, msg: 'Unexpected error', cause: last });
  });
});

describe('the error model', () => {
  it('gives every exported error class a string code and an isInstance that works across package copies', async () => {
    const where = { method: 'GET', url: 'http://h/mlmodelmanager/models' };
    const http = new MlmmHttpError({ code: 'ERR_MLMM_HTTP_STATUS', msg: 'Unexpected error', ...request });
    const cases = [
      [MlmmError, new MlmmError({ code: 'ERR_MLMM_INVALID_NAME', msg: "Invalid name: ''" })],
      [MlmmHttpError, http],
      [MlmmTokenError, new MlmmTokenError({ code: 'ERR_MLMM_TOKEN', serverCode: 5, msg: 'Token invalid or expired', ...request })],
      [MlmmModelNotFoundError, new MlmmModelNotFoundError({ code: 'ERR_MLMM_MODEL_NOT_FOUND', msg: "'m'", modelName: 'm' })],
      [MlmmModelAlreadyExistsError, new MlmmModelAlreadyExistsError({ code: 'ERR_MLMM_MODEL_ALREADY_EXISTS', msg: "'m'", modelName: 'm', modelId: 1 })],
      [MlmmModelRejectedError, new MlmmModelRejectedError({ code: 'ERR_MLMM_MODEL_REJECTED', msg: 'Invalid image', review: { valid: false } })],
      [MlmmNetworkError, new MlmmNetworkError({ code: 'ERR_MLMM_NETWORK', msg: 'Unexpected error', ...where, networkCode: 'ECONNRESET' })],
      [MlmmTimeoutError, new MlmmTimeoutError({ code: 'ERR_MLMM_TIMEOUT', msg: 'Timeout', ...where, kind: 'idle', timeoutMs: 1000 })],
      [MlmmAbortError, new MlmmAbortError({ code: 'ERR_MLMM_ABORTED', msg: 'Aborted' })],
      [MlmmResponseError, new MlmmResponseError({ code: 'ERR_MLMM_RESPONSE_INVALID', msg: 'Unexpected error', ...request, status: 200 })],
      [MlmmRetryError, new MlmmRetryError([http])],
    ] as const;
    vi.resetModules();
    const copy = await import('./mlmm-error');
    expect(errorModelViolations(cases, copy)).toEqual([]);
  });
});
