import { describe, expect, it } from 'vitest';
import {
  MlmmError,
  MlmmHttpError,
  MlmmModelNotFoundError,
  MlmmRetryError,
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
  it('has the string form of docs/reference/mlmm-api.md §7: "<code>: <msg>" when code ≠ 0, else msg', () => {
    expect(formatMlmmMessage(5, 'Token invalid or expired')).toBe('5: Token invalid or expired');
    expect(formatMlmmMessage(0, "'m'")).toBe("'m'");
    const error = new MlmmError({ reason: 'ERR_MLMM_INVALID_NAME', msg: "Invalid name: ''" });
    expect(error.message).toBe("Invalid name: ''");
    expect(error.code).toBe(0);
  });

  it('guards follow the class hierarchy', () => {
    const token = new MlmmTokenError({ reason: 'ERR_MLMM_TOKEN', code: 5, msg: 'Token invalid or expired', ...request });
    const http = new MlmmHttpError({ reason: 'ERR_MLMM_HTTP_STATUS', code: 0, msg: 'Unexpected error', ...request });
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

  it('MlmmRetryError keeps every attempt and takes code and msg of the last', () => {
    const first = new MlmmHttpError({ reason: 'ERR_MLMM_HTTP_STATUS', code: 503, msg: 'Busy', ...request, status: 503 });
    const last = new MlmmHttpError({ reason: 'ERR_MLMM_HTTP_STATUS', code: 0, msg: 'Unexpected error', ...request, status: 502 });
    const error = new MlmmRetryError([first, last]);
    expect(isMlmmRetryError(error)).toBe(true);
    expect(error.errors).toEqual([first, last]);
    expect(error).toMatchObject({ code: 0, msg: 'Unexpected error', cause: last });
  });
});
