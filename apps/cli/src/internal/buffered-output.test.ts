import { describe, expect, it } from 'vitest';
import { createBufferedOutput, type FlushTimers } from './buffered-output';

/** Timers fired by hand: `fire()` runs the pending callback as if its delay had passed. */
function manualTimers(): FlushTimers & { delays: number[]; fire(): void; readonly armed: boolean } {
  let pending: (() => void) | undefined;
  const delays: number[] = [];
  return {
    delays,
    setTimeout(callback, milliseconds) {
      delays.push(milliseconds);
      pending = callback;
      return callback;
    },
    clearTimeout(handle) {
      if (handle === pending) pending = undefined;
    },
    fire() {
      const callback = pending;
      pending = undefined;
      callback?.();
    },
    get armed() {
      return pending !== undefined;
    },
  };
}

function sink(): { writes: string[]; write(chunk: string): boolean } {
  const writes: string[] = [];
  return { writes, write: (chunk) => (writes.push(chunk), true) };
}

describe('createBufferedOutput', () => {
  it('holds small writes until the delay passes, then writes them at once', async () => {
    const timers = manualTimers();
    const output = sink();
    const buffered = createBufferedOutput(output, { timers, maxDelayMs: 1000 });
    await buffered.write('a\n');
    await buffered.write('b\n');
    expect(output.writes).toEqual([]);
    expect(timers.delays).toEqual([1000]);
    timers.fire();
    expect(output.writes).toEqual(['a\nb\n']);
    await buffered.write('c\n');
    expect(timers.delays).toEqual([1000, 1000]);
    await buffered.flush();
    expect(output.writes).toEqual(['a\nb\n', 'c\n']);
    expect(timers.armed).toBe(false);
  });

  it('writes as soon as maxChars are collected, without waiting for the timer', async () => {
    const timers = manualTimers();
    const output = sink();
    const buffered = createBufferedOutput(output, { timers, maxChars: 4 });
    await buffered.write('ab');
    await buffered.write('cd');
    expect(output.writes).toEqual(['abcd']);
    expect(timers.armed).toBe(false);
  });

  it('waits for drain when the output is full', async () => {
    let drain: (() => void) | undefined;
    const writes: string[] = [];
    const output = {
      write: (chunk: string) => (writes.push(chunk), false),
      once: (_event: 'drain', listener: () => void) => (drain = listener),
    };
    const buffered = createBufferedOutput(output, { timers: manualTimers(), maxChars: 1 });
    let done = false;
    const writing = buffered.write('x').then(() => (done = true));
    await Promise.resolve();
    expect(writes).toEqual(['x']);
    expect(done).toBe(false);
    drain?.();
    await writing;
    expect(done).toBe(true);
  });
});
