import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Python with Debian's `python3-onnx`: `$DGA_PYTHON`, else `/usr/bin/python3`. */
export function findPython(): string {
  return process.env['DGA_PYTHON'] ?? '/usr/bin/python3';
}

/**
 * Returns `undefined` when `findPython()` can import `module`, else the reason to skip.
 * In CI (`CI=true`) a missing module throws instead, since `.ci/run` installs it.
 */
export function requirePythonModule(module: string): string | undefined {
  const python = findPython();
  const ok =
    existsSync(python) && spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
  if (ok) return undefined;
  const reason = `skipped: ${python} cannot import ${module} (apt-get install python3-${module})`;
  if (process.env['CI'] === 'true' || process.env['CI'] === '1') throw new Error(`CI must have ${reason.slice(9)}`);
  console.warn(reason);
  return reason;
}
