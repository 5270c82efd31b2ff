import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOrtTelemetryOn } from '@dga/test-support';
import { commandLineBytes, stackSizeMbFor } from '../src/internal/ort-environment';
import { exportToOnnx } from '../src/export-to-onnx';
import { createOnnxClassifier } from '../src/onnx-classifier';
import { writeOnnxFile } from '../src/write-onnx-file';
import { tutorialShapedModel, useCpuBackend } from './models';

// Regression test of the onnxruntime-node 1.30 crash described in
// docs/upstream/onnxruntime-argv-stack.md: opening the first session in a process whose command
// line holds more than ~30 kB segfaulted (exit 139).

const fixture = join(import.meta.dirname, 'fixtures', 'score-one-row.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx').replace(/cjs\/index\.cjs$/, 'loader.mjs')).href;

let folder: string;
let modelFile: string;
let expected: number[];

beforeAll(async () => {
  await useCpuBackend();
  folder = await mkdtemp(join(tmpdir(), 'onnx-argv-'));
  modelFile = join(folder, 'model.onnx');
  const { bytes } = await exportToOnnx(tutorialShapedModel(3), { metadata: { 'dga.feature_set': 'tutorial' } });
  await writeOnnxFile(modelFile, bytes);
  const classifier = await createOnnxClassifier(bytes);
  expected = Array.from(await classifier.predict(new Float32Array(3).fill(1)));
  await classifier.dispose();
}, 60_000);
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function runFixture(extra: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Telemetry on, as on a user's machine: under CI ONNX Runtime skips the code that crashed.
    const child = spawn(process.execPath, ['--import', tsxLoader, fixture, modelFile, ...extra], {
      env: withOrtTelemetryOn(env),
      // In the test's folder: with the home folder unwritable, ONNX Runtime's telemetry writes `:memory:.ses` into the working directory.
      cwd: folder,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('ONNX Runtime with a long command line', () => {
  it('opens a session and scores like a short command line with 40 kB of arguments', async () => {
    const extra = Array.from({ length: 6700 }, (_, index) => `h${index % 10}.com`);
    expect(extra.join(' ').length).toBeGreaterThan(40_000);
    const run = await runFixture(extra);
    expect({ code: run.code, signal: run.signal }, run.stderr).toEqual({ code: 0, signal: null });
    expect(JSON.parse(run.stdout)).toEqual({ extraArguments: extra.length, scores: expected });
  }, 120_000);

  it('prints nothing of ONNX Runtime on stderr, also where it cannot save its telemetry id (home not writable)', async () => {
    // HOME under a file: not writable even by root. Unchanged, ONNX Runtime printed a coloured
    // "Failed to persist telemetry device ID" warning, on the main thread or on the worker.
    for (const extra of [[], Array.from({ length: 1000 }, (_, index) => `h${index % 10}.com`)]) {
      const run = await runFixture(extra, { ...process.env, HOME: '/dev/null' });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
    }
  }, 120_000);

  it('sizes the worker stack to the command line: 16 MB plus 512 bytes a byte', () => {
    expect(stackSizeMbFor(0)).toBe(16);
    expect(stackSizeMbFor(40_000)).toBe(16 + 20);
    // The largest Linux command line (ARG_MAX, 2 MB) still gets a bounded stack.
    expect(stackSizeMbFor(2 * 1024 * 1024)).toBe(16 + 1024);
    if (process.platform === 'linux') expect(commandLineBytes()).toBeGreaterThan(0);
  });
});
