import { execFileSync } from 'node:child_process';

/** One process as `ps` lists it. */
export interface ProcessInfo {
  readonly pid: number;
  readonly parent: number;
  readonly command: string;
}

/**
 * The processes descending from `root` (children before grandchildren), from `ps`: a test that
 * spawns `pnpm …` finds the node process pnpm started, and which process is its parent.
 */
export function descendantProcesses(root: number): ProcessInfo[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), parent: Number(match[2]), command: match[3]! }));
  const found: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const info of table) {
      if (info.parent === pid) {
        found.push(info);
        queue.push(info.pid);
      }
    }
  }
  return found;
}

/** True while process `pid` exists (signal 0 probes without sending anything). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
