import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sourceDirectory = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('__') ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('@dga/features sources', () => {
  it('import nothing but each other and tldts, so the package runs in a browser', () => {
    const imports = sourceFiles(sourceDirectory).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map((match) => match[1]!),
    );
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((specifier) => !specifier.startsWith('./') && !specifier.startsWith('../') && specifier !== 'tldts')).toEqual([]);
  });

  it('use no clock, randomness, process or Node globals', () => {
    const offending = sourceFiles(sourceDirectory).filter((file) =>
      /Math\.random|Date\.now|new Date\(|process\.|Buffer\.|require\(/.test(readFileSync(file, 'utf8')),
    );
    expect(offending).toEqual([]);
  });
});
