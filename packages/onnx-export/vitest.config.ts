import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../tools/test-support/vitest-conditions.ts';
import { slowMachineTimeouts } from '../../tools/test-support/vitest-timeouts.ts';

// isolate: false lets the test files share one import of tfjs (~1.5 s each otherwise); the tests
// keep no module-level state that could leak between files.
export default defineProject({ ...sourceConditions, test: { name: '@dga/onnx-export', ...slowMachineTimeouts, isolate: false, restoreMocks: true, clearMocks: true } });
