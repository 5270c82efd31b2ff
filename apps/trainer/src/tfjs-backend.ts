import type * as tf from '@tensorflow/tfjs';

/** Which tfjs backend trains the model, and why it was chosen. */
export interface TfjsBackendChoice {
  /** The tfjs backend name: `tensorflow` (native, tfjs-node) or `cpu` (pure JavaScript). */
  readonly backend: 'tensorflow' | 'cpu';
  /** The package that provides it. */
  readonly package: '@tensorflow/tfjs-node' | '@tensorflow/tfjs';
  /** One sentence for logs and the model card. */
  readonly reason: string;
  /** The tfjs namespace, ready to use. */
  readonly tf: typeof tf;
}

/** Options of {@link selectTfjsBackend}. */
export interface SelectTfjsBackendOptions {
  /**
   * `auto` tries tfjs-node and falls back to the pure-JS cpu backend; `cpu` skips tfjs-node;
   * `node` requires it. @default 'auto'
   */
  prefer?: 'auto' | 'cpu' | 'node';
  /** Imports tfjs-node (tests inject a failing import). @default () => import('@tensorflow/tfjs-node') */
  importNode?: () => Promise<unknown>;
}

/** The parsed value of `DGA_TFJS_BACKEND` (`auto`, `cpu`, `node`); undefined when unset or unknown. */
export function tfjsBackendPreference(value: string | undefined): 'auto' | 'cpu' | 'node' | undefined {
  return value === 'auto' || value === 'cpu' || value === 'node' ? value : undefined;
}

/**
 * Chooses the tfjs backend: `@tensorflow/tfjs-node` (native TensorFlow, much faster) when it is
 * installed and its native addon loads, else the pure-JS `cpu` backend of `@tensorflow/tfjs`
 * (e.g. where the install could not download libtensorflow). The reason says which and why.
 *
 * @example
 * const { tf, backend, reason } = await selectTfjsBackend();
 * logger.info(`tfjs backend ${backend}: ${reason}`);
 */
export async function selectTfjsBackend(options: SelectTfjsBackendOptions = {}): Promise<TfjsBackendChoice> {
  const prefer = options.prefer ?? 'auto';
  const tfjs = await import('@tensorflow/tfjs');
  let nodeFailure: string | undefined;
  if (prefer !== 'cpu') {
    try {
      await (options.importNode ?? (() => import('@tensorflow/tfjs-node')))();
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
      throw new Error(`DGA_TFJS_BACKEND=node, but ${nodeFailure}; install @tensorflow/tfjs-node with network access, or use DGA_TFJS_BACKEND=cpu`);
    }
  }
  await tfjs.setBackend('cpu');
  await tfjs.ready();
  // The cpu backend prints a "install tfjs-node" banner on first use; the reason above says it
  // once, in our own log format, so silence the banner (it would also break --log-format json).
  const cpuBackend = tfjs.backend() as unknown as { firstUse?: boolean };
  if (cpuBackend.firstUse === true) cpuBackend.firstUse = false;
  return {
    backend: 'cpu',
    package: '@tensorflow/tfjs',
    reason:
      prefer === 'cpu'
        ? 'the pure-JavaScript cpu backend was asked for (DGA_TFJS_BACKEND=cpu)'
        : `pure-JavaScript cpu backend, because ${nodeFailure ?? 'tfjs-node is unavailable'}`,
    tf: tfjs,
  };
}
