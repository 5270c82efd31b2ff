import { defineProject } from 'vitest/config';

// Builds and installs real tarballs: slow-ish (about a minute), but part of the default run. The
// hook timeout covers waiting for the workspace build lock (apps/cli's built-bins test holds it).
export default defineProject({ test: { name: '@dga/pack-test', testTimeout: 240_000, hookTimeout: 900_000 } });
