import { runCli } from './cli';
import { ExitCode } from './exit-error';
import { InterruptedError } from './exit-error';

// The only place that calls process.exit. SIGINT aborts the running command, which cleans up
// (temp run directories, open files) and ends with 130; a second Ctrl-C exits at once.
const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts === 1) {
    process.stderr.write('\ninterrupted: cleaning up (Ctrl-C again to quit at once)\n');
    controller.abort(new InterruptedError());
  } else {
    process.exit(ExitCode.interrupted);
  }
});
// SIGTERM (`kill`, `timeout`, a CI cancel) stops the same way and ends with 143; a second one at once.
let terminations = 0;
process.on('SIGTERM', () => {
  terminations += 1;
  if (terminations === 1) controller.abort(new InterruptedError('terminated', { signal: 'SIGTERM' }));
  else process.exit(ExitCode.terminated);
});
// `dga classify … | head`: a closed pipe is a normal end, not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.success);
  throw error;
});

const code = await runCli(process.argv.slice(2), { signal: controller.signal });
// Flush stdout before exiting (pipes are asynchronous).
process.stdout.write('', () => process.exit(code));
