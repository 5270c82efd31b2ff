import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsdown';

/**
 * The one build config every published package reuses (`export { default } from '@dga/build-config'`).
 * Entries are `src/index.ts` plus `src/testing.ts` where a package has a `./testing` entry.
 * The package version reaches code through the `__DGA_PACKAGE_VERSION__` define (see each
 * package's `src/version.ts`), never by reading package.json at run time.
 */
const cwd = process.cwd();
/** @type {{ version: string }} */
const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
const entry = ['src/index.ts', 'src/testing.ts'].filter((file) => existsSync(join(cwd, file)));

export default defineConfig({
  entry,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  define: { __DGA_PACKAGE_VERSION__: JSON.stringify(manifest.version) },
});

