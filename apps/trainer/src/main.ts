import { resolve } from 'node:path';
import { loadTrainingConfigFile, RunDirectoryError, runTraining, selectTfjsBackend, TrainingConfigError, tfjsBackendPreference, validateTrainingConfig } from '@dga/pipeline';

/** Where {@link main} reads and writes; tests pass their own. */
export interface TrainerIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal?: AbortSignal;
}

const USAGE = 'usage: dga-trainer CONFIG.json (a JSON training config; "out" is required)';

/**
 * Runs training from a config file: `dga-trainer CONFIG.json`. `DGA_DATASET` is the dataset when
 * the config names none; `DGA_TFJS_BACKEND` (`auto`, `node`, `wasm`, `cpu`) picks tfjs's backend.
 * Returns the exit code: 0 done, 1 the run failed, 2 bad usage or config, 130 interrupted (143 when
 * `signal` was aborted with the reason `'SIGTERM'`).
 */
export async function main(io: TrainerIo): Promise<number> {
  const [file, ...rest] = io.argv;
  if (file === undefined || rest.length > 0 || file.startsWith('-')) {
    io.stderr(`error: ${USAGE}\n`);
    return 2;
  }
  const backendValue = io.env['DGA_TFJS_BACKEND'];
  const prefer = backendValue === undefined || backendValue === '' ? undefined : tfjsBackendPreference(backendValue);
  if (backendValue !== undefined && backendValue !== '' && prefer === undefined) {
    io.stderr(`error: DGA_TFJS_BACKEND=${backendValue} is not a tfjs backend; use auto, node, wasm or cpu\n`);
    return 2;
  }
  let config;
  try {
    const path = resolve(io.cwd, file);
    config = validateTrainingConfig(loadTrainingConfigFile(path), path, resolve(io.cwd));
  } catch (error) {
    if (!TrainingConfigError.isInstance(error)) throw error;
    io.stderr(`error: config ${error.message}\n`);
    return 2;
  }
  try {
    const result = await runTraining(config, {
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      ...(io.env['DGA_DATASET'] === undefined ? {} : { datasetEnv: io.env['DGA_DATASET'] }),
      selectBackend: (run) =>
        selectTfjsBackend({ ...(prefer === undefined ? {} : { prefer, preferenceName: 'DGA_TFJS_BACKEND' }), batchSize: run.batchSize, importNode: () => import('@tensorflow/tfjs-node') }),
      onEvent: (event) => {
        if (event.type === 'stage') io.stderr(`${event.stage}: ${event.message}\n`);
        if (event.type === 'warning') io.stderr(`warning: ${event.message}\n`);
      },
    });
    const holdout = result.familyHoldout;
    const unseen = holdout.status === 'done' ? `family-held-out ROC AUC ${holdout.pooled.rocAuc?.toFixed(4) ?? '-'}` : `family-held-out skipped: ${holdout.reason}`;
    io.stdout(`${result.artifacts.directory}: F1 ${result.metrics.f1.toFixed(4)} at threshold ${result.metrics.threshold.toFixed(4)}; ${unseen}\n`);
    return 0;
  } catch (error) {
    if (io.signal?.aborted === true) return io.signal.reason === 'SIGTERM' ? 143 : 130;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error: ${RunDirectoryError.isInstance(error) ? `"out" in ${file}: ${message}` : message}\n`);
    return 1;
  }
}

/** Runs {@link main} on this process (argv, env, SIGINT) and sets its exit code; the bin calls it. */
export async function runFromProcess(): Promise<void> {
  const controller = new AbortController();
  // Ctrl-C and `kill` stop the run cleanly (nothing half-written), exiting 130 and 143.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort(signal));
  process.exitCode = await main({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    signal: controller.signal,
  });
}
