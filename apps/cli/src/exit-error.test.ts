import { describe, expect, it } from 'vitest';
import { ExitCode, InterruptedError } from './exit-error';

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
