import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { OnnxExportError } from '../onnx-export-error';

// Why this module exists (docs/upstream/onnxruntime-argv-stack.md has the whole story):
// onnxruntime-node 1.30 on Linux starts Microsoft's 1DS telemetry SDK when it creates its
// process-wide environment, i.e. inside the first `InferenceSession.create`. The SDK reads
// /proc/self/cmdline and matches it with std::regex("(.*)[ ]*.*[\n]*"); libstdc++'s regex
// executor recurses once per character, about 290 bytes of stack each. Around 30 kB of command
// line overflow the 8 MB main-thread stack: a segmentation fault (exit 139). The environment is
// created once per process, so creating it on a worker thread whose stack fits the command line
// makes every later session, on any thread, safe.

/** Below this many command-line bytes the main-thread stack is ample (at most ~1.2 MB of regex recursion). */
const SMALL_COMMAND_LINE_BYTES = 4096;
/** Stack bytes allowed per command-line byte: about 290 measured (ORT 1.30, x64), with margin. */
const STACK_BYTES_PER_COMMAND_LINE_BYTE = 512;
/** Stack for everything else the worker does. */
const BASE_STACK_MB = 16;

let prepared: Promise<void> | undefined;

/** Bytes of this process's command line as ONNX Runtime's telemetry reads it (0 off Linux). */
export function commandLineBytes(): number {
  if (process.platform !== 'linux') return 0;
  try {
    return readFileSync('/proc/self/cmdline').length;
  } catch {
    // No /proc (unusual containers): count the arguments as the kernel stores them.
    return [process.argv0, ...process.execArgv, ...process.argv.slice(1)].reduce((sum, argument) => sum + Buffer.byteLength(argument) + 1, 0);
  }
}

/** The worker stack, in MB, that creating the ONNX Runtime environment needs for `bytes` of command line. */
export function stackSizeMbFor(bytes: number): number {
  return BASE_STACK_MB + Math.ceil((bytes * STACK_BYTES_PER_COMMAND_LINE_BYTE) / (1024 * 1024));
}

// CommonJS, evaluated in the worker: open (and release) one session, which creates the environment.
// A model ONNX Runtime refuses still creates it (the environment comes first); the caller's own
// session then reports that error properly.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
ort.env.logLevel = 'error';
ort.InferenceSession.create(workerData.model)
  .then((session) => session.release(), () => undefined)
  .then(() => parentPort.postMessage('ready'));
`;

function createEnvironmentInWorker(model: Uint8Array, stackSizeMb: number): Promise<void> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  return new Promise((resolve, reject) => {
    let ready = false;
    let failure: unknown;
    const worker = new Worker(workerSource, {
      eval: true,
      execArgv: [],
      workerData: { ortPath, model },
      resourceLimits: { stackSizeMb },
    });
    worker.on('message', () => (ready = true));
    worker.on('error', (error) => (failure = error));
    worker.on('exit', () => {
      if (ready) {
        resolve();
        return;
      }
      reject(
        new OnnxExportError(
          'ERR_ONNX_RUNTIME',
          `Could not start ONNX Runtime on a worker thread with a ${stackSizeMb} MB stack` +
            `${failure === undefined ? '' : ` (${(failure as Error).message})`}; ` +
            'pass long input lists through a file or stdin instead of arguments.',
          { cause: failure },
        ),
      );
    });
  });
}

/**
 * Makes sure ONNX Runtime's process-wide environment exists before a session is opened on this
 * thread. With a long command line it is created on a worker thread with a stack sized to it
 * (see the comment at the top); otherwise there is nothing to do. Runs once per process.
 *
 * The environment logs errors only: a library prints nothing, and ONNX Runtime's warnings go to
 * stderr on their own (for example "Failed to persist telemetry device ID" on every run where the
 * home folder is not writable). Its failures still reach the caller as exceptions.
 */
export function prepareOrtEnvironment(model: Uint8Array): Promise<void> {
  if (prepared === undefined) {
    ort.env.logLevel = 'error';
    const bytes = commandLineBytes();
    prepared = bytes < SMALL_COMMAND_LINE_BYTES ? Promise.resolve() : createEnvironmentInWorker(model, stackSizeMbFor(bytes));
    // A failed attempt may be retried by the next session.
    prepared.catch(() => (prepared = undefined));
  }
  return prepared;
}
