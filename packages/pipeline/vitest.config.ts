import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../tools/test-support/vitest-conditions.ts';
import { slowMachineTimeouts } from '../../tools/test-support/vitest-timeouts.ts';

export default defineProject({ ...sourceConditions, test: { name: '@dga/pipeline', ...slowMachineTimeouts } });
