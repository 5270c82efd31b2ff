import { existsSync, statSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { featureSetNames, getFeatureSet, type FeatureSetName } from '@dga/features';
import { ExitCode, ExitError, UsageError } from '../exit-error';
import type { CommandRuntime } from '../runtime';

/** What the CLI needs to know about an ONNX model file. */
export interface LoadedModelInfo {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly featureSet: FeatureSetName;
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

/** Picks the feature set from the model's `dga.feature_set` metadata, else from its input size. */
export function featureSetFromMetadata(
  metadata: Readonly<Record<string, string>>,
  inputSize: number,
  file: string,
  warn: (message: string) => void,
): FeatureSetName {
  const recorded = metadata['dga.feature_set'];
  if (recorded !== undefined) {
    if (!(featureSetNames as readonly string[]).includes(recorded)) {
      throw new ExitError(
        ExitCode.failure,
        `${file}: the model was trained on feature set "${recorded}", which this dga does not know (known: ${featureSetNames.join(', ')})`,
        { hint: 'upgrade dga, or re-train the model with this version' },
      );
    }
    const set = getFeatureSet(recorded as FeatureSetName);
    if (set.size !== inputSize) {
      throw new ExitError(
        ExitCode.failure,
        `${file}: metadata says feature set "${recorded}" (${set.size} features) but the model takes ${inputSize} inputs`,
      );
    }
    const version = metadata['dga.feature_set_version'];
    if (version !== undefined && version !== String(set.version)) {
      warn(`${file}: trained on "${recorded}" version ${version}, this dga computes version ${set.version}; scores may drift`);
    }
    return recorded as FeatureSetName;
  }
  const bySize = featureSetNames.find((name) => getFeatureSet(name).size === inputSize);
  if (bySize === undefined) {
    throw new ExitError(
      ExitCode.failure,
      `${file}: the model takes ${inputSize} inputs and has no dga.feature_set metadata; no known feature set has that size`,
      { hint: 'export models with `dga train` or `dga export`, which record the feature set' },
    );
  }
  warn(`${file}: no dga.feature_set metadata; assuming "${bySize}" from its ${inputSize} inputs`);
  return bySize;
}

/** Reads an ONNX file's info and metadata through `@dga/onnx-export` (loaded lazily). */
export async function loadModelInfo(file: string, runtime: Pick<CommandRuntime, 'cwd' | 'logger'>, flag = '--model'): Promise<LoadedModelInfo> {
  const path = resolveModelPath(file, runtime, flag);
  const bytes = new Uint8Array(await readFile(path));
  const { readOnnxModelInfo } = await import('@dga/onnx-export');
  let info;
  try {
    info = readOnnxModelInfo(bytes);
  } catch (error) {
    throw new ExitError(ExitCode.failure, `${flag} ${file}: not a readable ONNX model: ${(error as Error).message}`, { cause: error });
  }
  const featureSet = featureSetFromMetadata(info.metadata, info.inputSize, file, (message) => runtime.logger.warn(message));
  return { path, bytes, featureSet, inputSize: info.inputSize, outputSize: info.outputSize, metadata: info.metadata };
}

/** The feature set recorded in an ONNX model file. */
export async function featureSetOfModel(file: string, runtime: Pick<CommandRuntime, 'cwd' | 'logger'>): Promise<FeatureSetName> {
  return (await loadModelInfo(file, runtime)).featureSet;
}
