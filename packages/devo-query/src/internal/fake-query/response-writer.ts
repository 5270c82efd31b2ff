import type { ServerResponse } from 'node:http';

/** Buffered writes to a streamed response, with keep-alives when it stays idle (docs/reference/devo-query-api.md §6). */
export interface ResponseWriter {
  /** Buffers `text`; returns a promise only when the socket needs draining (keeps the hot loop synchronous). */
  emit: (text: string) => Promise<void> | undefined;
  /** Writes what is buffered; false when the socket needs draining. */
  flush: () => boolean;
  /** Takes what is buffered, unwritten. */
  takePending: () => string;
  /** Stops the keep-alive timer. */
  stop: () => void;
}

/** A writer that sends `keepAliveText` (when not empty) after each idle `keepAliveIntervalMs`. */
export function createResponseWriter(response: ServerResponse, writeBufferBytes: number, keepAliveText: string, keepAliveIntervalMs: number): ResponseWriter {
  let pending = '';
  let wroteSinceTick = false;
  let flushScheduled = false;
  const flush = (): boolean => {
    flushScheduled = false;
    if (pending === '' || response.destroyed) return true;
    const text = pending;
    pending = '';
    wroteSinceTick = true;
    return response.write(text);
  };
  const waitDrain = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  const emit = (text: string): Promise<void> | undefined => {
    pending += text;
    if (pending.length >= writeBufferBytes) {
      if (!flush()) return waitDrain();
    } else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    return undefined;
  };
  const ticker = keepAliveText === '' ? undefined : setInterval(() => {
    if (!wroteSinceTick && !response.destroyed) response.write(keepAliveText);
    wroteSinceTick = false;
  }, keepAliveIntervalMs);
  return {
    emit,
    flush,
    takePending: () => {
      const text = pending;
      pending = '';
      return text;
    },
    stop: () => {
      if (ticker !== undefined) clearInterval(ticker);
    },
  };
}
