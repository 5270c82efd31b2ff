import { describe, expect, it } from 'vitest';
import { createBufferedOutput } from './buffered-output';

/** A schedule fired by hand: `fire()` runs the pending callback as if its delay had passed. */
function manualSchedule(): { schedule: (callback: () => void, delayMs: number) => () => void; delays: number[]; fire(): void; readonly armed: boolean } {
  let pending: (() => void) | undefined;
  const delays: number[] = [];
  return {
    delays,
    schedule(callback, delayMs) {
      delays.push(delayMs);
      pending = callback;
      return () => {
        if (pending === callback) pending = undefined;
      };
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
    const clock = manualSchedule();
    const output = sink();
    const buffered = createBufferedOutput(output, { schedule: clock.schedule, maxDelayMs: 1000 });
    await buffered.write('a\n');
    await buffered.write('b\n');
    expect(output.writes).toEqual([]);
    expect(clock.delays).toEqual([1000]);
    clock.fire();
    expect(output.writes).toEqual(['a\nb\n']);
    await buffered.write('c\n');
    expect(clock.delays).toEqual([1000, 1000]);
    await buffered.flush();
    expect(output.writes).toEqual(['a\nb\n', 'c\n']);
    expect(clock.armed).toBe(false);
  });

  it('writes as soon as maxChars are collected, without waiting for the timer', async () => {
    const clock = manualSchedule();
    const output = sink();
    const buffered = createBufferedOutput(output, { schedule: clock.schedule, maxChars: 4 });
    await buffered.write('ab');
    await buffered.write('cd');
    expect(output.writes).toEqual(['abcd']);
    expect(clock.armed).toBe(false);
  });

  it('waits for drain when the output is full', async () => {
    let drain: (() => void) | undefined;
    const writes: string[] = [];
    const output = {
      write: (chunk: string) => (writes.push(chunk), false),
      once: (_event: 'drain', listener: () => void) => (drain = listener),
    };
    const buffered = createBufferedOutput(output, { schedule: manualSchedule().schedule, maxChars: 1 });
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
