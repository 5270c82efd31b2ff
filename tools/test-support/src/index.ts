export { sharedDataDir, sharedDataFile, requireSharedData } from './shared-data';
export { findPython, requirePythonModule } from './python';
export { withOrtTelemetryOn } from './ort-telemetry-env';
