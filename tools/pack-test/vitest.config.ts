import { defineProject } from 'vitest/config';

// Builds and installs real tarballs: slow-ish (about a minute), but part of the default run.
export default defineProject({ test: { name: '@dga/pack-test', testTimeout: 240_000, hookTimeout: 300_000 } });
