import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import type { LoadedModel, ModelResolver } from './model-runner';
import { DevoSandboxError } from './sandbox-error';

/** A model file as the Model Manager stores it. */
export interface ModelFile {
  /** `ONNX`, `H2O`, …; only ONNX runs in the sandbox. */
  readonly engine: string;
  readonly bytes: Uint8Array;
}

/** Where registered models live: the fake Model Manager, or a plain map in tests. */
export interface ModelStore {
  getModelFile(name: string): ModelFile | undefined | Promise<ModelFile | undefined>;
}

/** Options of {@link createOnnxModelResolver}. */
export interface OnnxModelResolverOptions {
  /** The sandbox's Devo domain; `mlevalmodel` accepts it and `"self"`. @default 'self' */
  readonly domain?: string;
  /** ONNX Runtime intra-op threads per session. @default 1 */
  readonly intraOpNumThreads?: number;
}

/** A {@link ModelResolver} that also releases its ONNX Runtime sessions. */
export interface OnnxModelResolver extends ModelResolver {
  dispose(): Promise<void>;
}

interface CachedSession {
  readonly digest: string;
  readonly model: LoadedModel;
  readonly session: ort.InferenceSession;
}

function fixedDimension(dimension: number | string | undefined): number | undefined {
  return typeof dimension === 'number' && dimension > 0 ? dimension : undefined;
}

async function loadSession(name: string, bytes: Uint8Array, threads: number): Promise<{ model: LoadedModel; session: ort.InferenceSession }> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, logSeverityLevel: 3 });
  } catch (error) {
    throw new DevoSandboxError('ERR_SANDBOX_MODEL_MISMATCH', `ONNX Runtime cannot load it (${error instanceof Error ? error.message : String(error)}); re-export the model`, { cause: error });
  }
  if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
    await session.release();
    throw new DevoSandboxError('ERR_SANDBOX_MODEL_MISMATCH', `it has ${session.inputNames.length} inputs; Devo's mlevalmodel feeds exactly one float input [-1, n]`);
  }
  const inputName = session.inputNames[0] as string;
  const outputName = session.outputNames[0] as string;
  const input = session.inputMetadata[0];
  const output = session.outputMetadata[0];
  if (input?.isTensor !== true || input.type !== 'float32' || (input.shape.length !== 0 && input.shape.length !== 2)) {
    await session.release();
    throw new DevoSandboxError('ERR_SANDBOX_MODEL_MISMATCH', `its input "${inputName}" is not a float tensor [-1, n]; Devo's mlevalmodel feeds one float4 row`);
  }
  const inputSize = fixedDimension(input.shape[1]);
  const batchOfOne = fixedDimension(input.shape[0]) === 1;
  const outputSize = output?.isTensor === true ? fixedDimension(output.shape[1]) : undefined;
  const runOnce = async (rows: Float32Array, count: number): Promise<Float32Array> => {
    const width = rows.length / count;
    const results = await session.run({ [inputName]: new ort.Tensor('float32', rows, [count, width]) });
    const tensor = results[outputName];
    if (tensor === undefined || !(tensor.data instanceof Float32Array)) {
      throw new DevoSandboxError('ERR_SANDBOX_MODEL_RUN', `output "${outputName}" of model "${name}" is not a float tensor`);
    }
    return tensor.data;
  };
  const model: LoadedModel = {
    name,
    inputSize,
    outputSize,
    async run(rows, count) {
      if (!batchOfOne || count === 1) return runOnce(rows, count);
      const width = rows.length / count;
      const parts: Float32Array[] = [];
      for (let row = 0; row < count; row += 1) parts.push(await runOnce(rows.subarray(row * width, (row + 1) * width), 1));
      const joined = new Float32Array(parts.reduce((total, part) => total + part.length, 0));
      let offset = 0;
      for (const part of parts) {
        joined.set(part, offset);
        offset += part.length;
      }
      return joined;
    },
  };
  return { model, session };
}

/**
 * Resolves `mlevalmodel(domain, name, …)` to an ONNX Runtime session over the model file in
 * `store`. Sessions are cached per name and reloaded when the file's bytes change (a forced
 * re-upload). A model of another engine, or one that is not `float [-1, n] → float [-1, k]`,
 * is an error naming the model.
 *
 * @example
 * const resolver = createOnnxModelResolver({ getModelFile: (name) => files.get(name) });
 * const model = await resolver.resolve('self', 'dga_classifier_onnx');
 */
export function createOnnxModelResolver(store: ModelStore, options: OnnxModelResolverOptions = {}): OnnxModelResolver {
  const domain = options.domain ?? 'self';
  const threads = options.intraOpNumThreads ?? 1;
  const cache = new Map<string, CachedSession>();
  return {
    async resolve(requestedDomain, name) {
      if (requestedDomain !== 'self' && requestedDomain !== domain) return undefined;
      const file = await store.getModelFile(name);
      if (file === undefined) return undefined;
      if (file.engine.toUpperCase() !== 'ONNX') {
        throw new DevoSandboxError('ERR_SANDBOX_MODEL_MISMATCH', `its engine is ${file.engine}; the sandbox runs only ONNX models`);
      }
      const digest = createHash('sha256').update(file.bytes).digest('hex');
      const cached = cache.get(name);
      if (cached?.digest === digest) return cached.model;
      if (cached !== undefined) await cached.session.release();
      const loaded = await loadSession(name, file.bytes, threads);
      cache.set(name, { digest, ...loaded });
      return loaded.model;
    },
    async dispose() {
      for (const cached of cache.values()) await cached.session.release();
      cache.clear();
    },
  };
}
