import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsdown';

/**
 * The build config of an app (`apps/*`): `entry` are its entry files, written as `dist/*.mjs`
 * (bins in `bin/` import `../dist/main.mjs`). Like the package config, the app version reaches
 * code through the `__DGA_PACKAGE_VERSION__` define.
 * @param {string[]} entry
 */
export function appConfig(entry) {
  /** @type {{ version: string }} */
  const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
  return defineConfig({
    entry,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    clean: true,
    fixedExtension: true,
    define: { __DGA_PACKAGE_VERSION__: JSON.stringify(manifest.version) },
  });
}
