/**
 * Proves that "teams consuming individual packages" works before anything is published: builds
 * every published workspace under packages/*, packs each with `pnpm pack` (which rewrites
 * `workspace:^` ranges), installs all tarballs into a fresh project with plain npm, then imports
 * every public entry point from plain Node ESM and checks its named exports. Also runs publint on
 * each packed tarball and fails on errors.
 *
 * Slow-ish (a build, a pack per package and one `npm install` from the registry), but part of
 * the default run. npm runs with --ignore-scripts: onnxruntime-node's install script only fetches
 * CUDA extras from a host this machine cannot reach; its CPU binaries are inside the package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { lockWorkspaceBuild } from '@dga/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  peerDependencies?: Record<string, string>;
}

interface PublishedPackage {
  directory: string;
  manifest: Manifest;
  /** Public entry points other than ./package.json, e.g. ['.', './testing']. */
  entries: string[];
}

/** Published (non-private) workspaces under packages/*, found from their package.json. */
function discoverPackages(): PublishedPackage[] {
  const packagesDirectory = join(root, 'packages');
  return readdirSync(packagesDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDirectory, entry.name, 'package.json')))
    .map((entry) => {
      const directory = join(packagesDirectory, entry.name);
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as Manifest;
      const entries = Object.keys(manifest.exports ?? { '.': './dist/index.js' }).filter((key) => key !== './package.json');
      return { directory, manifest, entries };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/**
 * The value exports an entry should have, read from its source (`src/index.ts` for `.`,
 * `src/<name>.ts` for `./<name>`): every name in `export { a, b as c } from` / `export const …`
 * lines, leaving out `export type` and inline `type` specifiers.
 */
function expectedExports(directory: string, entry: string): string[] {
  const file = join(directory, 'src', entry === '.' ? 'index.ts' : `${entry.slice(2)}.ts`);
  if (!existsSync(file)) return [];
  const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const names = new Set<string>();
  for (const match of source.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    if (match[1] !== undefined) continue;
    for (const specifier of match[2]!.split(',')) {
      const trimmed = specifier.trim();
      if (trimmed === '' || trimmed.startsWith('type ')) continue;
      names.add(trimmed.split(/\s+as\s+/).pop()!.trim());
    }
  }
  for (const match of source.matchAll(/export\s+(?:declare\s+)?(?:const|let|function\*?|class|async\s+function)\s+([A-Za-z_$][\w$]*)/g)) {
    names.add(match[1]!);
  }
  return [...names].sort();
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env: { ...process.env, NO_COLOR: '1' } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed with ${result.status}:\n${result.stdout}\n${result.stderr}`.slice(-6000));
  }
  return result.stdout;
}

/** The `@tensorflow/tfjs` version of the pnpm catalog, for the peers. */
function catalogVersion(name: string): string {
  const workspace = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const escaped = name.replace(/[/@.]/g, (character) => `\\${character}`);
  const match = new RegExp(`^\\s+"?${escaped}"?:\\s*(\\S+)\\s*$`, 'm').exec(workspace);
  if (match === null) throw new Error(`${name} is not in the catalog of pnpm-workspace.yaml`);
  return match[1]!;
}

/**
 * npm `overrides` pinning every third-party package to the one version `pnpm-lock.yaml` resolved
 * (packages the lockfile holds in several versions are left to npm). The consumer then installs
 * what the workspace's own tests ran against, not whatever the registry's newest release is: a
 * registry can list a release whose own dependency it does not serve yet (seen: tldts 7.6.6
 * requiring tldts-core ^7.6.6), which would fail this test for reasons outside the repo.
 */
function lockfileOverrides(): Record<string, string> {
  const lockfile = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
  // pnpm 12 writes two YAML documents (pnpm's own install, then the workspace's): read the
  // `packages:` section of each.
  const sections = [...lockfile.matchAll(/^packages:\n([\s\S]*?)^\S/gm)].map((match) => match[1]!).join('');
  const versions = new Map<string, Set<string>>();
  for (const match of sections.matchAll(/^ {2}'?(@?[^@\s']+)@([^('\s:]+)[^:]*:$/gm)) {
    const [, name, version] = match as unknown as [string, string, string];
    if (name.startsWith('@dga/')) continue;
    versions.set(name, (versions.get(name) ?? new Set()).add(version));
  }
  return Object.fromEntries([...versions].filter(([, found]) => found.size === 1).map(([name, found]) => [name, [...found][0]!]));
}

const packages = discoverPackages();
const workDirectory = mkdtempSync(join(tmpdir(), 'dga-pack-test-'));
const tarballDirectory = join(workDirectory, 'tarballs');
const projectDirectory = join(workDirectory, 'project');
const tarballs = new Map<string, string>();
/** Why a package could not be built, packed or installed (others' failures stay theirs). */
const failures = new Map<string, unknown>();
let installError: unknown;

function workspaceDependencies(manifest: Manifest & { dependencies?: Record<string, string> }): string[] {
  return Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((name) =>
    packages.some((pkg) => pkg.manifest.name === name),
  );
}

/** Builds each package in place and packs it into `tarballDirectory`, recording failures per package. */
function buildAndPack(): void {
  for (const pkg of packages) {
    try {
      run('pnpm', ['run', 'build'], pkg.directory);
      const output = run('pnpm', ['pack', '--pack-destination', tarballDirectory], pkg.directory);
      const tarball = output.trim().split('\n').map((line) => line.trim()).reverse().find((line) => line.endsWith('.tgz'));
      if (tarball === undefined || !existsSync(tarball)) throw new Error(`pnpm pack printed no tarball for ${pkg.manifest.name}:\n${output}`);
      tarballs.set(pkg.manifest.name, tarball);
    } catch (error) {
      failures.set(pkg.manifest.name, error);
    }
  }
}

beforeAll(async () => {
  // One build per package (tsdown via tools/build-config), so one broken package does not hide the
  // others; under the workspace build lock, as other tests build the same `dist/` folders.
  const release = await lockWorkspaceBuild();
  try {
    buildAndPack();
  } finally {
    await release();
  }
  // Install only packages whose workspace dependencies packed too (npm would look for the rest on the registry).
  let changed = true;
  while (changed) {
    changed = false;
    for (const pkg of packages) {
      const missing = workspaceDependencies(pkg.manifest).filter((name) => !tarballs.has(name));
      if (tarballs.has(pkg.manifest.name) && missing.length > 0) {
        tarballs.delete(pkg.manifest.name);
        failures.set(pkg.manifest.name, new Error(`not installed: its workspace dependencies ${missing.join(', ')} failed to build or pack`));
        changed = true;
      }
    }
  }
  try {
    mkdirSync(projectDirectory, { recursive: true });
    writeFileSync(join(projectDirectory, 'package.json'), `${JSON.stringify({ name: 'pack-test-consumer', private: true, type: 'module', overrides: lockfileOverrides() }, null, 2)}\n`);
    run(
      'npm',
      ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.values(), `@tensorflow/tfjs@${catalogVersion('@tensorflow/tfjs')}`],
      projectDirectory,
    );
  } catch (error) {
    installError = error;
  }
});

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function assertReady(name: string): void {
  if (failures.has(name)) throw asError(failures.get(name));
  if (installError !== undefined) throw asError(installError);
}

afterAll(() => {
  rmSync(workDirectory, { recursive: true, force: true });
});

describe('published packages', () => {
  it('are discovered from packages/*/package.json', () => {
    expect(packages.map((pkg) => pkg.manifest.name)).toContain('@dga/features');
    expect(packages.map((pkg) => pkg.manifest.name)).toContain('@dga/dataset');
    expect(packages.map((pkg) => pkg.manifest.name)).toContain('@dga/pipeline');
  });

  it('install together with plain npm', () => {
    if (installError !== undefined) throw asError(installError);
    expect(tarballs.size).toBeGreaterThan(0);
  });

  describe.each(packages.map((pkg) => [pkg.manifest.name, pkg] as const))('%s', (name, pkg) => {
    it('builds and packs', () => {
      if (failures.has(name)) throw asError(failures.get(name));
      expect(tarballs.get(name)).toMatch(/\.tgz$/);
    });

    it('passes publint on its tarball with no errors', async () => {
      assertReady(name);
      const bytes = readFileSync(tarballs.get(name)!);
      const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const result = await publint({ pkgDir: 'package', pack: { tarball } });
      const errors = result.messages.filter((message) => message.type === 'error');
      expect(errors.map((message) => `${message.code}: ${formatMessage(message, result.pkg) ?? ''}`)).toEqual([]);
    });

    it.each(pkg.entries)('imports %s from plain Node ESM with its named exports', (entry) => {
      assertReady(name);
      const specifier = entry === '.' ? name : `${name}/${entry.slice(2)}`;
      const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify({ keys: Object.keys(m).sort(), version: m.VERSION ?? null }));`;
      const output = run(process.execPath, ['--input-type=module', '-e', script], projectDirectory);
      const loaded = JSON.parse(output.trim().split('\n').pop()!) as { keys: string[]; version: string | null };
      const expected = expectedExports(pkg.directory, entry);
      expect(expected.length, `no exports found in the source of ${specifier}`).toBeGreaterThan(0);
      expect(loaded.keys).toEqual(expect.arrayContaining(expected));
      if (entry === '.') {
        // The build-time define reached the bundle: VERSION is the manifest version, not the source marker.
        expect(loaded.version).toBe(pkg.manifest.version);
      }
    });
  });
});
