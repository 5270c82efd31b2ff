export { sharedDataDir, sharedDataFile, requireSharedData } from './shared-data';
export { findPython, requirePythonModule } from './python';
export { withOrtTelemetryOn } from './ort-telemetry-env';
export { descendantProcesses, isProcessAlive } from './process-tree';
export type { ProcessInfo } from './process-tree';
export { errorModelViolations } from './error-model';
export type { ErrorClass, ErrorModelCase } from './error-model';
export { lockWorkspaceBuild } from './workspace-build-lock';
