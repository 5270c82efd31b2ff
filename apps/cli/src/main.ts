import { runCli } from './cli';
import { ExitCode, InterruptedError, type StopSignal } from './exit-error';
import { invocationDirectory } from './internal/invocation-directory';

// ONNX Runtime (onnxruntime-node 1.30) starts Microsoft's telemetry SDK with its first session,
// which, where the home folder is not writable, warns on stderr and writes `:memory:.ses` into the
// working directory. A command-line tool has no use for it: off unless the user set the variable.
process.env['ORT_DISABLE_TELEMETRY'] ??= '1';

// The only place that calls process.exit. SIGINT, SIGTERM and SIGHUP abort the running command,
// which cleans up (temp run directories, open files) and ends with 128 + the signal number
// (130, 143, 129); a second signal exits at once. The root `dga` script `exec`s node, so a
// signal sent to `pnpm` (which forwards it to its child) reaches this process.
const controller = new AbortController();
let stops = 0;
const stop = (signal: StopSignal, message: string) => {
  stops += 1;
  if (stops === 1) {
    if (signal === 'SIGINT') process.stderr.write('\ninterrupted: cleaning up (Ctrl-C again to quit at once)\n');
    controller.abort(new InterruptedError(message, { signal }));
  } else {
    process.exit(new InterruptedError(message, { signal }).exitCode);
  }
};
process.on('SIGINT', () => stop('SIGINT', 'interrupted'));
process.on('SIGTERM', () => stop('SIGTERM', 'terminated'));
process.on('SIGHUP', () => stop('SIGHUP', 'hung up'));
// `dga classify … | head`: a closed pipe is a normal end, not a crash. Any other failure to
// write the results (a full disk: ENOSPC) is a runtime error in one line, not a stack.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.success);
  process.stderr.write(`error: cannot write the results to stdout (${error.message}) (check that where stdout goes has free space and is writable)\n`);
  process.exit(ExitCode.failure);
});

const code = await runCli(process.argv.slice(2), {
  signal: controller.signal,
  cwd: invocationDirectory(process.env, process.cwd()),
});
// Flush stdout before exiting (pipes are asynchronous).
process.stdout.write('', () => process.exit(code));
