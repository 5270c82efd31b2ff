import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lock } from 'proper-lockfile';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Takes the workspace's build lock and returns its release function. Tests that build the
 * workspace packages in place (`dist/`, cleaned on each build) hold it from their build until
 * they stop reading `dist/`, so two such test files, run in parallel by vitest, never see each
 * other's half-written output.
 *
 * Waits up to `waitMs` for another holder. A holder that died leaves a stale lock, taken over
 * after 10 minutes (builds run as synchronous child processes, so the lock cannot be refreshed
 * more often than that).
 */
export async function lockWorkspaceBuild(waitMs = 900_000): Promise<() => Promise<void>> {
  const directory = join(root, 'node_modules', '.cache');
  mkdirSync(directory, { recursive: true });
  return lock(root, {
    lockfilePath: join(directory, 'dga-workspace-build.lock'),
    stale: 600_000,
    retries: { retries: Math.ceil(waitMs / 1000), factor: 1, minTimeout: 1000, maxTimeout: 1000 },
  });
}
