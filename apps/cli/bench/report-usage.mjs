// Loaded with `node --import` into the built `dga` the classify benchmark spawns: at exit, writes
// the process's peak RSS (all threads), CPU seconds and peak V8 heap of the main thread to the
// file named by DGA_BENCH_USAGE_FILE, which the benchmark reads.
import { writeFileSync } from 'node:fs';

const file = process.env.DGA_BENCH_USAGE_FILE;
let peakHeap = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 10);
sampler.unref();
process.on('exit', () => {
  const usage = process.resourceUsage();
  if (file !== undefined) {
    writeFileSync(file, JSON.stringify({ maxRssBytes: usage.maxRSS * 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakHeapBytes: peakHeap }));
  }
});
