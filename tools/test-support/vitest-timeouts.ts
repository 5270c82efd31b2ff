/**
 * Project-wide vitest timeouts, spread into every workspace's `vitest.config.ts`.
 *
 * vitest's 5 s default is too close to what ordinary tests take on a slow or loaded 2-core machine,
 * so no test lives on it: plain tests get 30 s, hooks 60 s. Heavy tests (real training, all 132k
 * rows, spawned `dga` processes) still set their own, larger, timeout next to the test.
 */
export const slowMachineTimeouts = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
} as const;
