/**
 * Returns a function that gives the event loop a turn (`setImmediate`) when at least 25 ms of
 * `now()` passed since the last turn, so long synchronous loops keep timers and signals alive.
 */
export function createYielder(now: () => number): () => Promise<void> {
  let last = now();
  return async () => {
    const current = now();
    if (current - last < 25) return;
    last = current;
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
}
