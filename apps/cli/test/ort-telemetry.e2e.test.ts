import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withOrtTelemetryOn } from '@dga/test-support';
import { writeFixtureModel } from './fixture-model';
import { cleanEnv, runDga } from './spawn-dga';

// onnxruntime-node 1.30 starts Microsoft's telemetry SDK with its first session. Where the home
// folder is not writable (a service account, a read-only container) that SDK printed a coloured
// "Failed to persist telemetry device ID" warning on every run and wrote a `:memory:.ses` file
// into the folder the user ran `dga` in. The CLI turns ONNX Runtime's telemetry off.

let cwd: string;
let model: string;

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'dga-ort-telemetry-'));
  model = join(cwd, 'model.onnx');
  await writeFixtureModel(model);
  return () => rmSync(cwd, { recursive: true, force: true });
}, 60_000);

describe('dga and ONNX Runtime telemetry', () => {
  it('writes no file into the working directory and prints no ONNX Runtime warning when the home folder is not writable', async () => {
    writeFileSync(join(cwd, 'hosts.txt'), 'google.com\nxjwqkdo7zlf3qpu.com\n');
    const before = readdirSync(cwd).sort();
    // HOME under a file is not writable, even by root; telemetry on, as on a user's machine (not CI).
    const run = await runDga(['classify', '--model', model, '--file', 'hosts.txt', '--json'], { cwd, env: withOrtTelemetryOn(cleanEnv('/dev/null')) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(2);
    expect(run.stderr).not.toMatch(/onnxruntime|telemetry/i);
    expect(readdirSync(cwd).sort()).toEqual(before);
  }, 120_000);
});
