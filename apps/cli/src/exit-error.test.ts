import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import { ExitCode, ExitError, InterruptedError, UsageError, isAbortError } from './exit-error';
import { IniSyntaxError } from './internal/ini';

describe('InterruptedError', () => {
  it('exits 128 + the signal number: 130 SIGINT, 143 SIGTERM, 129 SIGHUP', () => {
    expect(new InterruptedError().exitCode).toBe(130);
    expect(new InterruptedError('terminated', { signal: 'SIGTERM' }).exitCode).toBe(143);
    expect(new InterruptedError('hung up', { signal: 'SIGHUP' }).exitCode).toBe(129);
  });

  it('keeps the signal named by the abort reason', () => {
    const controller = new AbortController();
    controller.abort(new InterruptedError('terminated', { signal: 'SIGHUP' }));
    expect(InterruptedError.fromSignal(controller.signal, 'interrupted').exitCode).toBe(ExitCode.hangup);
    const other = new AbortController();
    other.abort(new Error('other'));
    expect(InterruptedError.fromSignal(other.signal, 'interrupted').exitCode).toBe(ExitCode.interrupted);
  });
});

describe('the error model of the CLI', () => {
  it('gives every error class a string code and an isInstance that works across module copies', async () => {
    const cases = [
      [ExitError, new ExitError(ExitCode.failure, 'the model file is missing', { hint: 'pass --model' })],
      [UsageError, new UsageError('unknown flag --foo')],
      [InterruptedError, new InterruptedError('terminated', { signal: 'SIGTERM' })],
    ] as const;
    vi.resetModules();
    expect(errorModelViolations(cases, await import('./exit-error'))).toEqual([]);
    expect(cases.map(([, error]) => error.code)).toEqual(['ERR_CLI_FAILED', 'ERR_CLI_USAGE', 'ERR_CLI_INTERRUPTED']);
    expect(new ExitError(ExitCode.usage, 'bad value').code).toBe('ERR_CLI_USAGE');
    expect(errorModelViolations([[IniSyntaxError, new IniSyntaxError('duplicate section [a]', 3)]], await import('./internal/ini'))).toEqual([]);
  });

  it('treats an InterruptedError from another copy as an abort', async () => {
    vi.resetModules();
    const copy = await import('./exit-error');
    expect(isAbortError(new copy.InterruptedError())).toBe(true);
  });
});
