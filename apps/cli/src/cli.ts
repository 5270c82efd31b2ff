import { inspect, stripVTControlCharacters } from 'node:util';
import { renderUsage, runCommand, type ArgsDef, type CommandDef } from 'citty';
import { ExitCode, ExitError, InterruptedError, UsageError, isAbortError, type ExitCodeValue } from './exit-error';
import { scrubSecrets } from './internal/redact';
import { colorsEnabled, createLogger, type LogFormat, type LogLevel, type Logger } from './logger';
import { createProgress } from './progress';
import type { CommandRuntime, TextOutput } from './runtime';
import { renderRootUsage, rootCommand } from './root-command';
import { VERSION } from './version';

/** Streams and environment of one CLI run; tests pass doubles, `main.ts` the real process. */
export interface RunCliOptions {
  stdout?: TextOutput;
  stderr?: TextOutput;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Aborted on SIGINT by `main.ts`. */
  signal?: AbortSignal;
  /** The root command (tests may pass their own). @default rootCommand */
  root?: CommandDef<ArgsDef>;
}

interface ResolvedCommand {
  command: CommandDef<ArgsDef>;
  parent: CommandDef<ArgsDef> | undefined;
  path: string[];
  rest: string[];
}

async function resolveValue<T>(value: T | Promise<T> | (() => T) | (() => Promise<T>) | undefined): Promise<T | undefined> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value;
}

function flagName(token: string): string {
  return token.replace(/^-{1,2}/, '').split('=')[0] ?? '';
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

interface FlagInfo {
  name: string;
  type: 'string' | 'boolean' | 'enum';
}

function flagTable(args: ArgsDef): Map<string, FlagInfo> {
  const table = new Map<string, FlagInfo>();
  for (const [name, definition] of Object.entries(args)) {
    if (definition.type === 'positional') continue;
    const type = definition.type === 'boolean' ? 'boolean' : definition.type === 'enum' ? 'enum' : 'string';
    const info = { name, type } as const;
    const aliases = (definition as { alias?: string | string[] }).alias;
    for (const alias of [name, camel(name), kebab(name), ...[aliases ?? []].flat()]) table.set(alias, info);
    if (type === 'boolean') table.set(`no-${name}`, info);
  }
  table.set('help', { name: 'help', type: 'boolean' });
  table.set('h', { name: 'help', type: 'boolean' });
  return table;
}

/** Walks the subcommand tree along `argv` to the command that will run. */
async function resolveCommand(root: CommandDef<ArgsDef>, argv: string[]): Promise<ResolvedCommand> {
  let command = root;
  let parent: CommandDef<ArgsDef> | undefined;
  const path = ['dga'];
  let rest = argv;
  for (;;) {
    const subCommands = await resolveValue(command.subCommands);
    if (subCommands === undefined || Object.keys(subCommands).length === 0) break;
    const flags = flagTable((await resolveValue(command.args)) ?? {});
    let index = -1;
    for (let position = 0; position < rest.length; position += 1) {
      const token = rest[position]!;
      if (token === '--') break;
      if (token.startsWith('-')) {
        const info = flags.get(flagName(token));
        if (info !== undefined && info.type !== 'boolean' && !token.includes('=')) position += 1;
        continue;
      }
      index = position;
      break;
    }
    if (index === -1) break;
    const name = rest[index]!;
    const next = subCommands[name];
    if (next === undefined) {
      if (command.run !== undefined) break;
      throw new UsageError(`unknown command "${name}" for \`${path.join(' ')}\``, {
        hint: `commands: ${Object.keys(subCommands).join(', ')}; see \`${path.join(' ')} --help\``,
      });
    }
    parent = command;
    command = (await resolveValue(next)) as CommandDef<ArgsDef>;
    path.push(name);
    rest = [...rest.slice(0, index), ...rest.slice(index + 1)];
  }
  return { command, parent, path, rest };
}

/** Checks flags against the command's declared args: unknown flags and missing values are usage errors. */
function validateFlags(args: ArgsDef, rest: string[], commandPath: string): void {
  const flags = flagTable(args);
  const hasPositionals = Object.values(args).some((definition) => definition.type === 'positional');
  for (let index = 0; index < rest.length; index += 1) {
    const token = rest[index]!;
    if (token === '--') break;
    if (!token.startsWith('-') || token === '-') {
      if (!hasPositionals) {
        throw new UsageError(`unexpected argument "${token}" for \`${commandPath}\``, { hint: `see \`${commandPath} --help\`` });
      }
      continue;
    }
    if (/^-\d/.test(token) && hasPositionals) continue;
    const name = flagName(token);
    const info = flags.get(name);
    if (info === undefined) {
      throw new UsageError(`unknown flag ${token.split('=')[0]} for \`${commandPath}\``, { hint: `see \`${commandPath} --help\`` });
    }
    if (info.type !== 'boolean' && !token.includes('=')) {
      const value = rest[index + 1];
      if (value === undefined || (value.startsWith('--') && value !== '--')) {
        throw new UsageError(`flag --${info.name} needs a value`, { hint: `see \`${commandPath} --help\`` });
      }
      index += 1;
    }
  }
}

/** Reads the global logging flags before anything else, so even usage errors honour them. */
function preParseGlobals(argv: string[]): { format: LogFormat; level: LogLevel } {
  let format: LogFormat = 'human';
  let level: LogLevel = 'info';
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index]!;
    if (token === '--') break;
    if (token === '--verbose') level = 'debug';
    else if (token === '--quiet') level = 'warn';
    else if (token === '--log-format=json' || (token === '--log-format' && argv[index + 1] === 'json')) format = 'json';
  }
  return { format, level };
}

function causeChain(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = (error as { cause?: unknown }).cause;
  let depth = 0;
  while (current !== undefined && current !== null && depth < 8) {
    const message = current instanceof Error ? `${current.name}: ${current.message}` : typeof current === 'string' ? current : inspect(current, { breakLength: Infinity });
    lines.push(`caused by ${message}`);
    current = (current as { cause?: unknown }).cause;
    depth += 1;
  }
  return lines;
}

/**
 * True for a typed error of the toolkit: every error class of its packages carries a string
 * `code` `ERR_<AREA>_<WHAT>` (docs/decisions/0012-error-model-and-retry.md), and its message
 * already names the input and the fix.
 */
function isTypedError(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_');
}

/** A Node.js system error (`ENOSPC`, `EROFS`, `EACCES`…, with its `syscall`): the message names the call and the path. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as NodeJS.ErrnoException;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof syscall === 'string';
}

function reportError(error: unknown, logger: Logger, commandPath: string, verbose: boolean): ExitCodeValue {
  const scrub = (text: string) => scrubSecrets(text, logger.secrets);
  if (ExitError.isInstance(error)) {
    // One line: what failed, for which input, and how to fix it.
    logger.error(scrub(error.hint === undefined ? error.message : `${error.message} (${error.hint})`));
    if (verbose) for (const line of causeChain(error)) logger.debug(scrub(line));
    return error.exitCode;
  }
  if (isTypedError(error)) {
    logger.error(scrub(error.message), { code: error.code });
    if (verbose) for (const line of causeChain(error)) logger.debug(scrub(line));
    else if ((error as { cause?: unknown }).cause !== undefined) logger.info('run with --verbose to see the cause');
    return ExitCode.failure;
  }
  if (isSystemError(error)) {
    // The machine refused (a full or read-only disk, permissions): not a bug, and no stack.
    logger.error(scrub(`${error.message} (check the path, its permissions and the free disk space)`), { code: error.code });
    if (verbose) for (const line of causeChain(error)) logger.debug(scrub(line));
    return ExitCode.failure;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  logger.error(`unexpected error in \`${commandPath}\`:\n${scrub(message)}`);
  for (const line of causeChain(error)) logger.error(scrub(line));
  logger.error('this is a bug in dga; please report it with the command you ran and the output above');
  return ExitCode.failure;
}

/**
 * Runs the `dga` command line and returns the exit code; never calls `process.exit`.
 * Help (`--help` at any level) and `--version` need no heavy module: subcommands are imported
 * lazily, so `dga --help` does not load tfjs or onnxruntime.
 *
 * @example
 * const code = await runCli(['classify', '--model', 'model.onnx', 'google.com']);
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<ExitCodeValue> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const globals = preParseGlobals([...argv]);
  let progressClear = () => {};
  let progressRedraw = () => {};
  const logger = createLogger({
    stream: stderr,
    format: globals.format,
    level: globals.level,
    color: colorsEnabled(stderr, env),
    beforeWrite: () => progressClear(),
    afterWrite: () => progressRedraw(),
  });
  const progress = createProgress({ stream: stderr, logger, silent: globals.level === 'warn' });
  progressClear = () => progress.clear();
  progressRedraw = () => progress.redraw();
  const root = options.root ?? rootCommand;
  let commandPath = 'dga';
  try {
    if (argv.length === 1 && argv[0] === '--version') {
      stdout.write(`${VERSION}\n`);
      return ExitCode.success;
    }
    // `dga help [command…]` is `dga [command…] --help`.
    const words = argv[0] === 'help' ? [...argv.slice(1), '--help'] : [...argv];
    const resolved = await resolveCommand(root, words);
    commandPath = resolved.path.join(' ');
    const stopAt = resolved.rest.indexOf('--');
    const flagsPart = stopAt === -1 ? resolved.rest : resolved.rest.slice(0, stopAt);
    const wantsHelp = flagsPart.includes('--help') || flagsPart.includes('-h');
    if (resolved.command === root && options.root === undefined && (wantsHelp || argv.length === 0)) {
      (wantsHelp ? stdout : stderr).write(renderRootUsage() + '\n');
      if (wantsHelp) return ExitCode.success;
      throw new UsageError('`dga` needs a command');
    }
    // citty names a command after its direct parent only; give it the whole path instead.
    const usageParent = { meta: { name: resolved.path.slice(0, -1).join(' '), version: VERSION } } as CommandDef<ArgsDef>;
    if (wantsHelp) {
      const usage = await renderUsage(resolved.command, usageParent);
      stdout.write((colorsEnabled(stdout, env) ? usage : stripVTControlCharacters(usage)) + '\n');
      return ExitCode.success;
    }
    if (resolved.command.run === undefined) {
      const usage = await renderUsage(resolved.command, usageParent);
      stderr.write((colorsEnabled(stderr, env) ? usage : stripVTControlCharacters(usage)) + '\n\n');
      throw new UsageError(`\`${commandPath}\` needs a command`);
    }
    const args = (await resolveValue(resolved.command.args)) ?? {};
    validateFlags(args, resolved.rest, commandPath);
    if (flagsPart.includes('--quiet') && flagsPart.includes('--verbose')) {
      throw new UsageError('--quiet and --verbose contradict each other', { hint: 'give one: --quiet logs only warnings and errors, --verbose adds debug details' });
    }
    const signal = options.signal ?? new AbortController().signal;
    const runtime: CommandRuntime = {
      stdout,
      stderr,
      stdin: options.stdin ?? process.stdin,
      env,
      cwd: options.cwd ?? process.cwd(),
      logger,
      progress,
      signal,
      color: colorsEnabled(stdout, env),
      commandPath,
    };
    try {
      const leaf: CommandDef<ArgsDef> = { ...resolved.command };
      delete leaf.subCommands;
      await runCommand(leaf, { rawArgs: resolved.rest, data: runtime });
    } catch (error) {
      if ((error as { name?: unknown }).name === 'CLIError') {
        throw new UsageError(`${stripVTControlCharacters((error as Error).message)} (\`${commandPath}\`)`, {
          hint: `see \`${commandPath} --help\``,
        });
      }
      if (signal.aborted || isAbortError(error)) {
        throw InterruptedError.fromSignal(signal, 'interrupted; nothing partial was left behind', error);
      }
      throw error;
    }
    if (signal.aborted) throw InterruptedError.fromSignal(signal, 'interrupted');
    return ExitCode.success;
  } catch (error) {
    progress.clear();
    return reportError(error, logger, commandPath, globals.level === 'debug');
  }
}
