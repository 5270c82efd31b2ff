import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { writeTextAtomic } from './write-text-atomic';

/** One benchmark figure: throughput and peak memory of one measured run. */
export interface BenchResult {
  name: string;
  /** How many items were processed (rows, labels, requests...). */
  items: number;
  /** What an item is, e.g. `labels`, `rows`, `hosts`. */
  unit: string;
  seconds: number;
  /** items / seconds. */
  throughput: number;
  /** Peak resident set size of this process during the run, in bytes. */
  peakRssBytes: number;
  /** Peak V8 heap used during the run, sampled every 10 ms, in bytes. */
  peakHeapBytes: number;
  /** Free-form extra figures (F1, AUC, seconds per epoch...). */
  extra?: Record<string, number | string>;
}

export interface MeasureOptions {
  name: string;
  unit: string;
  /** Runs once before measuring to warm the JIT; default false. */
  warmup?: boolean;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

/** Facts about the machine, recorded next to every result. */
export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Runs `run` once, timing it and sampling memory every 10 ms. `run` returns how many items it
 * processed (and optionally extra figures). Prints one line to stdout and returns the result.
 * Peak RSS is the process-wide high-water mark (`process.resourceUsage().maxRSS`), so run each
 * memory-sensitive benchmark in its own process.
 */
export async function measure(
  options: MeasureOptions,
  run: () => Promise<number | { items: number; extra?: Record<string, number | string> }>,
): Promise<BenchResult> {
  if (options.warmup === true) await run();
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 10);
  const start = performance.now();
  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - start) / 1000;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const items = typeof outcome === 'number' ? outcome : outcome.items;
  const result: BenchResult = {
    name: options.name,
    items,
    unit: options.unit,
    seconds,
    throughput: items / seconds,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    peakHeapBytes: peakHeap,
  };
  if (typeof outcome !== 'number' && outcome.extra !== undefined) result.extra = outcome.extra;
  const extra = result.extra
    ? ' ' + Object.entries(result.extra).map(([key, value]) => `${key}=${value}`).join(' ')
    : '';
  console.log(
    `${result.name}: ${items.toLocaleString('en-US')} ${result.unit} in ${seconds.toFixed(2)} s = ` +
      `${Math.round(result.throughput).toLocaleString('en-US')} ${result.unit}/s, ` +
      `peak RSS ${formatBytes(result.peakRssBytes)}, peak heap ${formatBytes(peakHeap)}${extra}`,
  );
  return result;
}

/**
 * Writes results as JSON (atomically: temp file, then rename) together with the machine they
 * came from, so the committed figures always say where they were measured.
 */
export function writeBenchResults(file: string, suite: string, results: BenchResult[]): void {
  const document = { suite, measuredAt: new Date().toISOString(), machine: machineInfo(), results };
  writeTextAtomic(file, JSON.stringify(document, null, 2) + '\n');
}
