import type * as tf from '@tensorflow/tfjs';

/** Which tfjs backend trains the model, and why it was chosen. */
export interface TfjsBackendChoice {
  /**
   * The tfjs backend name: `tensorflow` (native, tfjs-node), `wasm` (WebAssembly with SIMD, one
   * thread) or `cpu` (pure JavaScript).
   */
  readonly backend: 'tensorflow' | 'wasm' | 'cpu';
  /** The package that provides it. */
  readonly package: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-backend-wasm' | '@tensorflow/tfjs';
  /** One sentence for logs and the model card. */
  readonly reason: string;
  /** The tfjs namespace, ready to use. */
  readonly tf: typeof tf;
}

/** Which backend to use: `auto` (tfjs-node, else wasm, else cpu) or exactly one of them. */
export type TfjsBackendPreference = 'auto' | 'node' | 'wasm' | 'cpu';

/** Options of {@link selectTfjsBackend}. */
export interface SelectTfjsBackendOptions {
  /**
   * `auto` tries tfjs-node, then the WebAssembly backend, then the pure-JS cpu backend; `node`
   * and `wasm` require that backend; `cpu` goes straight to the pure-JS one. @default 'auto'
   */
  prefer?: TfjsBackendPreference;
  /**
   * How the caller's user set `prefer`, named in reasons and errors as `<name>=<value>` (an app
   * passes its setting, e.g. an environment variable's name). @default 'prefer'
   */
  preferenceName?: string;
  /**
   * Imports tfjs-node. Apps that install it pass `() => import('@tensorflow/tfjs-node')`: the app
   * chooses the native backend, and a strict layout (pnpm) resolves it from the app. Tests inject
   * a failing import. @default an import of `@tensorflow/tfjs-node` from this package (found when
   * it is hoisted next to it)
   */
  importNode?: () => Promise<unknown>;
  /** Imports the wasm backend (tests inject a failing import). @default () => import('@tensorflow/tfjs-backend-wasm') */
  importWasm?: () => Promise<unknown>;
  /**
   * The training batch size, when known. With `auto`, batches under {@link SMALL_BATCH} rows skip
   * wasm for `cpu`: per-op overhead dominates there and the pure-JS backend is faster.
   */
  batchSize?: number;
}

/**
 * Below this batch size `auto` prefers `cpu` to `wasm`. Measured on dga-training.csv (2-core
 * machine, `pnpm bench` in packages/model): the tutorial preset at batch 7 takes 2.4 ms/step on
 * `cpu` and 3.3 on `wasm` in the step profile (full epochs: 2.5–2.9 vs 2.9–4.0, noisy); the
 * default preset at batch 512 takes 178 ms/step on `cpu` and 20 on `wasm` (9 ms of CPU; 31–37 before
 * its transposed products went through XNNPACK, docs/decisions/0015).
 */
export const SMALL_BATCH = 64;

/** Not a dependency of this package (typed `string` so that nothing resolves it at build time). */
const TFJS_NODE: string = '@tensorflow/tfjs-node';

const preferences: readonly TfjsBackendPreference[] = ['auto', 'node', 'wasm', 'cpu'];

/** Parses a backend preference (`auto`, `node`, `wasm`, `cpu`); undefined when unset or unknown. */
export function tfjsBackendPreference(value: string | undefined): TfjsBackendPreference | undefined {
  return preferences.find((preference) => preference === value);
}

/**
 * Snapshots the process's `uncaughtException` and `unhandledRejection` listeners; the returned
 * function removes any added since. The WebAssembly backend's Emscripten module adds one of each
 * when it starts, which rethrow: any later unhandled rejection then ends the process with exit
 * code 7 and prints the line that threw, i.e. ~30 KB of minified tfjs-backend-wasm source
 * (tfjs means to remove them, but its filter keeps every listener, and only on dispose).
 */
function keepProcessHandlers(): () => void {
  const exceptions = new Set(process.listeners('uncaughtException'));
  const rejections = new Set(process.listeners('unhandledRejection'));
  return () => {
    for (const listener of process.listeners('uncaughtException')) if (!exceptions.has(listener)) process.removeListener('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection')) if (!rejections.has(listener)) process.removeListener('unhandledRejection', listener);
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 160);
}

/**
 * Chooses the tfjs backend: `@tensorflow/tfjs-node` (native TensorFlow, fastest) when it is
 * installed and its native addon loads; else `@tensorflow/tfjs-backend-wasm` (WebAssembly, SIMD,
 * one thread in Node: ~4× faster than cpu per step at batch 256, ~10 % slower at the tutorial's
 * batch 7; see docs/decisions/0007); else the pure-JS `cpu` backend of `@tensorflow/tfjs`. The
 * reason says which and why.
 *
 * @example
 * const { tf, backend, reason } = await selectTfjsBackend();
 * logger.info(`tfjs backend ${backend}: ${reason}`);
 */
export async function selectTfjsBackend(options: SelectTfjsBackendOptions = {}): Promise<TfjsBackendChoice> {
  const prefer = options.prefer ?? 'auto';
  const asked = (value: TfjsBackendPreference) => `${options.preferenceName ?? 'prefer'}=${value}`;
  const tfjs = await import('@tensorflow/tfjs');
  let nodeFailure: string | undefined;
  if (prefer === 'auto' || prefer === 'node') {
    try {
      await (options.importNode ?? (() => import(TFJS_NODE)))();
      if (tfjs.findBackend('tensorflow') !== null || tfjs.engine().registryFactory['tensorflow'] !== undefined) {
        await tfjs.setBackend('tensorflow');
        await tfjs.ready();
        return {
          backend: 'tensorflow',
          package: '@tensorflow/tfjs-node',
          reason: '@tensorflow/tfjs-node is installed and its native TensorFlow addon loaded',
          tf: tfjs,
        };
      }
      nodeFailure = '@tensorflow/tfjs-node loaded but registered no "tensorflow" backend';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      nodeFailure = /Cannot find (module|package)/.test(message)
        ? '@tensorflow/tfjs-node is not installed'
        : `@tensorflow/tfjs-node could not load its native addon (${(message.split('\n')[0] ?? '').replace(/ at path: .*$/, '').replace(/ can not be found$/, ' is missing').slice(0, 160)})`;
    }
    if (prefer === 'node') {
      throw new Error(`${asked('node')}, but ${nodeFailure}; install @tensorflow/tfjs-node with network access, or use ${asked('wasm')} or cpu`);
    }
  }
  let wasmFailure: string | undefined;
  const smallBatch = prefer === 'auto' && options.batchSize !== undefined && options.batchSize < SMALL_BATCH;
  if (smallBatch) {
    wasmFailure = `batch ${options.batchSize} is small: per-op overhead dominates, where the cpu backend is faster than wasm`;
  } else if (prefer === 'auto' || prefer === 'wasm') {
    const restoreProcessHandlers = keepProcessHandlers();
    try {
      await (options.importWasm ?? (() => import('@tensorflow/tfjs-backend-wasm')))();
      // setBackend resolves false (it logs, does not throw) when the WebAssembly module fails to start.
      const started = tfjs.findBackendFactory('wasm') !== null && (await tfjs.setBackend('wasm'));
      restoreProcessHandlers();
      if (started) {
        await tfjs.ready();
        const fallback = nodeFailure === undefined ? '' : `, because ${nodeFailure}`;
        return {
          backend: 'wasm',
          package: '@tensorflow/tfjs-backend-wasm',
          reason:
            prefer === 'wasm'
              ? `the WebAssembly backend was asked for (${asked('wasm')})`
              : `WebAssembly backend (SIMD, 1 thread)${fallback}`,
          tf: tfjs,
        };
      }
      wasmFailure = 'the WebAssembly backend did not initialize';
    } catch (error) {
      restoreProcessHandlers();
      wasmFailure = `@tensorflow/tfjs-backend-wasm could not load (${firstLine(error)})`;
    }
    if (prefer === 'wasm') throw new Error(`${asked('wasm')}, but ${wasmFailure}; use ${asked('cpu')}`);
  }
  await tfjs.setBackend('cpu');
  await tfjs.ready();
  // The cpu backend prints a "install tfjs-node" banner on first use; the reason above says it
  // once, in our own log format, so silence the banner (it would also break --log-format json).
  const cpuBackend = tfjs.backend() as unknown as { firstUse?: boolean };
  if (cpuBackend.firstUse === true) cpuBackend.firstUse = false;
  const why = [nodeFailure, wasmFailure].filter((reason) => reason !== undefined).join(smallBatch ? ', and ' : ' and ');
  return {
    backend: 'cpu',
    package: '@tensorflow/tfjs',
    reason:
      prefer === 'cpu'
        ? `the pure-JavaScript cpu backend was asked for (${asked('cpu')})`
        : `pure-JavaScript cpu backend, because ${why === '' ? 'no faster backend is available' : why}`,
    tf: tfjs,
  };
}
