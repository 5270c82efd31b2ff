export { sharedDataDir, sharedDataFile, requireSharedData } from './shared-data';
export { findPython, requirePythonModule } from './python';
