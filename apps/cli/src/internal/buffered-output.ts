import type { TextOutput } from '../runtime';

/** Options of {@link createBufferedOutput}. */
export interface BufferedOutputOptions {
  /** Characters collected before they are written at once. @default 65536 */
  maxChars?: number;
  /** Longest time text waits in the buffer, so slow streams still show their rows. @default 1000 */
  maxDelayMs?: number;
  /** Runs `callback` after `delayMs` and returns a cancel function; tests pass a manual clock. @default setTimeout */
  schedule?: (callback: () => void, delayMs: number) => () => void;
}

/** Text output that writes in large chunks, but never holds text back for long. */
export interface BufferedOutput {
  /** Appends `text`; resolves at once, or after `drain` when the output is full (back-pressure). */
  write(text: string): Promise<void>;
  /** Writes everything buffered now (call it before reporting an error, and at the end). */
  flush(): Promise<void>;
}

const defaultSchedule = (callback: () => void, delayMs: number): (() => void) => {
  const handle = setTimeout(callback, delayMs);
  return () => clearTimeout(handle);
};

/**
 * Buffers text for `output` (stdout): a write happens when `maxChars` are collected or when the
 * oldest buffered text has waited `maxDelayMs`, whichever comes first. Many small rows become
 * few large writes, and a slow or continuous stream still shows each row within `maxDelayMs`.
 *
 * @example
 * const output = createBufferedOutput(runtime.stdout);
 * try { for await (const row of rows) await output.write(render(row)); }
 * finally { await output.flush(); }
 */
export function createBufferedOutput(output: TextOutput, options: BufferedOutputOptions = {}): BufferedOutput {
  const maxChars = options.maxChars ?? 65_536;
  const maxDelayMs = options.maxDelayMs ?? 1000;
  const schedule = options.schedule ?? defaultSchedule;
  let pending = '';
  let cancelTimer: (() => void) | undefined;
  let draining: Promise<void> | undefined;

  const writeNow = (): void => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (pending === '') return;
    const text = pending;
    pending = '';
    if (!output.write(text) && output.once !== undefined && draining === undefined) {
      draining = new Promise((resolve) => {
        output.once!('drain', () => {
          draining = undefined;
          resolve();
        });
      });
    }
  };

  return {
    async write(text) {
      pending += text;
      if (pending.length >= maxChars) writeNow();
      else if (cancelTimer === undefined && pending !== '') cancelTimer = schedule(writeNow, maxDelayMs);
      if (draining !== undefined) await draining;
    },
    async flush() {
      writeNow();
      if (draining !== undefined) await draining;
    },
  };
}
