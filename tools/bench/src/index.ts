export { measure, writeBenchResults, machineInfo, formatBytes } from './bench';
export type { BenchResult, MeasureOptions, MachineInfo } from './bench';
