import { Readable } from 'node:stream';
import { defineCommand } from 'citty';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli';
import { ExitCode, InterruptedError } from './exit-error';
import { runtimeOf } from './runtime';

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

describe('runCli when a signal stops the command', () => {
  // A command that waits until the run's abort signal fires, as long commands do.
  const waits = defineCommand({
    meta: { name: 'wait' },
    async run(context) {
      const { signal } = runtimeOf(context);
      signal.throwIfAborted();
      await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
    },
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('exits with the code of %s', async (signal, code) => {
    const controller = new AbortController();
    let stderr = '';
    const running = runCli([], {
      root: waits,
      signal: controller.signal,
      env: { NO_COLOR: '1' },
      stdout: { write: () => true },
      stderr: { write: (chunk: string) => ((stderr += chunk), true) },
      stdin: Readable.from([]),
    });
    controller.abort(new InterruptedError('stopped', { signal }));
    expect(await running).toBe(code);
    expect(stderr).toBe('error: interrupted; nothing partial was left behind\n');
  });
});
