export { measure, writeBenchResults, machineInfo, formatBytes } from './bench';
export { writeTextAtomic } from './write-text-atomic';
export type { BenchResult, MeasureOptions, MachineInfo } from './bench';
