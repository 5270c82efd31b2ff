import { existsSync, statSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FeatureSetName, PslMode } from '@dga/features';
import type { OnnxClassifier } from '@dga/onnx-export';
import { ExitCode, ExitError, UsageError } from '../exit-error';
import type { CommandRuntime } from '../runtime';
import { parseThreshold } from './parse-flags';

/** What the CLI needs to know about an ONNX model file. */
export interface LoadedModelInfo {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly featureSet: FeatureSetName;
  /** The Public Suffix List rules the labels were trained with (`dga.psl_mode`; `all` when absent). */
  readonly pslMode: PslMode;
  /** The decision threshold recorded in the model (`dga.threshold`); undefined in models without one. */
  readonly threshold: number | undefined;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Resolves `--model` against the working directory (a run directory stands for its model.onnx),
 * as a usage error when absent or not a regular file: reading a FIFO or a device could block
 * forever, beyond the reach of Ctrl-C.
 */
export function resolveModelPath(file: string, runtime: Pick<CommandRuntime, 'cwd'>, flag = '--model'): string {
  const path = resolve(runtime.cwd, file);
  if (!existsSync(path)) throw new UsageError(`${flag} ${file}: no such file (looked at ${path})`);
  const stats = statSync(path);
  if (stats.isDirectory()) {
    const inside = resolve(path, 'model.onnx');
    if (!existsSync(inside)) throw new UsageError(`${flag} ${file}: is a directory without model.onnx`);
    return checkRegularFile(inside, statSync(inside), `${flag} ${file}`);
  }
  return checkRegularFile(path, stats, `${flag} ${file}`);
}

function checkRegularFile(path: string, stats: Stats, what: string): string {
  if (stats.isFile()) return path;
  const kind = stats.isFIFO() ? 'a named pipe (FIFO)' : stats.isDirectory() ? 'a directory' : stats.isSocket() ? 'a socket' : 'a device';
  throw new UsageError(`${what}: ${path} is ${kind}, not a regular file`, { hint: 'pass the path of an ONNX model file (save a streamed model to a file first)' });
}

/**
 * Reads an ONNX file and checks the model contract through `@dga/onnx-export` (loaded lazily):
 * one float `[N, n]` input of the width of its recorded feature set, one `[N, 2]` output, and
 * consistent `dga.*` metadata. A model that breaks it is refused with exit 1, naming the file,
 * what is wrong and how to fix it; nothing is scored or uploaded.
 */
export async function loadModelInfo(file: string, runtime: Pick<CommandRuntime, 'cwd' | 'logger'>, flag = '--model'): Promise<LoadedModelInfo> {
  const path = resolveModelPath(file, runtime, flag);
  const bytes = new Uint8Array(await readFile(path));
  const { readModelContract } = await import('@dga/onnx-export');
  // The resolved path only when it says more than what was given.
  const contract = checkedContract(() => readModelContract(bytes), path === file ? `${flag} ${file}` : `${flag} ${file} (${path})`);
  for (const warning of contract.warnings) runtime.logger.warn(`${file}: ${warning}`);
  const { info } = contract;
  return { path, bytes, featureSet: contract.featureSet, pslMode: contract.pslMode, threshold: contract.threshold, inputSize: info.inputSize, outputSize: info.outputSize, metadata: info.metadata };
}

/** Models that record no `dga.threshold` (older runs, other tools) classify at this threshold. */
export const FALLBACK_THRESHOLD = 0.5;

/**
 * The decision threshold of a command: `--threshold` when given, else the one the model records
 * (`dga train --target-fpr` chose it), else {@link FALLBACK_THRESHOLD}.
 */
export function decisionThreshold(flag: string | undefined, model: Pick<LoadedModelInfo, 'threshold'> | undefined): number {
  return parseThreshold(flag) ?? model?.threshold ?? FALLBACK_THRESHOLD;
}

const contractHint = 'use a model written by `dga train`, or re-export its run directory with `dga export --model RUN --out model.onnx`';

/**
 * Runs a model-contract check, turning its `OnnxExportError` into exit 1 naming `what` (the
 * flag and path, or the downloaded model) with `hint` (how to fix it).
 */
export function checkedContract<T>(check: () => T, what: string, hint: string = contractHint): T {
  try {
    return check();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_ONNX_INVALID_MODEL' || code === 'ERR_ONNX_MODEL_CONTRACT') {
      throw new ExitError(ExitCode.failure, `${what}: ${(error as Error).message}`, { cause: error, hint });
    }
    throw error;
  }
}

/**
 * Opens an ONNX Runtime classifier for a loaded model; its errors (a non-finite score included)
 * name the model file.
 */
export async function openClassifier(model: LoadedModelInfo, options: { batchSize: number }): Promise<OnnxClassifier> {
  const { createOnnxClassifier } = await import('@dga/onnx-export');
  return createOnnxClassifier(model.bytes, { batchSize: options.batchSize, name: model.path });
}

/**
 * When `error` is a non-finite score of row `row` of a batch, the same message naming the input
 * (`describe(row)`), as exit 1; otherwise `error` unchanged.
 */
export function nameNonFiniteRow(error: unknown, describe: (row: number) => string): unknown {
  const { code, row } = error as { code?: unknown; row?: unknown };
  if (code !== 'ERR_ONNX_NON_FINITE_OUTPUT' || typeof row !== 'number') return error;
  return new ExitError(ExitCode.failure, `${describe(row)}: ${(error as Error).message}`, { cause: error });
}

/** The feature set recorded in an ONNX model file. */
export async function featureSetOfModel(file: string, runtime: Pick<CommandRuntime, 'cwd' | 'logger'>): Promise<FeatureSetName> {
  return (await loadModelInfo(file, runtime)).featureSet;
}
