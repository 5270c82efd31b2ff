import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../tools/test-support/vitest-conditions.ts';

export default defineProject({ ...sourceConditions, test: { name: '@dga/devo-query' } });
