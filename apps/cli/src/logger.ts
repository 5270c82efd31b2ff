import { styleText } from 'node:util';
import { redactFields, scrubSecrets } from './internal/redact';

/** Log levels, from most to least verbose. `silent` prints nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
/** `human`: text lines (colored on a TTY); `json`: one JSON object a line. */
export type LogFormat = 'human' | 'json';

/** The one logger of the app: it writes to stderr only, never to stdout. */
export interface Logger {
  readonly level: LogLevel;
  readonly format: LogFormat;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Values (tokens, secrets) replaced by `***` wherever they would appear in a log line. */
  addSecret(secret: string | undefined): void;
  /** The secrets registered so far, for scrubbing other output (error messages). */
  readonly secrets: readonly string[];
}

/** Where the logger writes: a stream with an optional `isTTY`. */
export interface LogStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CreateLoggerOptions {
  /** @default process.stderr */
  stream?: LogStream;
  /** @default 'human' */
  format?: LogFormat;
  /** @default 'info' */
  level?: LogLevel;
  /** Colors in human format. @default stream.isTTY && !NO_COLOR */
  color?: boolean;
  /** Clock for JSON `time` fields. @default () => new Date() */
  now?: () => Date;
  /** Called before each line, e.g. to clear a progress bar. */
  beforeWrite?: () => void;
  afterWrite?: () => void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** True when colors are allowed on `stream`: a TTY, and `NO_COLOR` / `TERM=dumb` unset. */
export function colorsEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

/** `styleText` with the options argument of Node ≥ 22.13 (ignored by older Node, which never validates). */
const style = styleText as (format: Parameters<typeof styleText>[0], text: string, options?: { validateStream?: boolean }) => string;

/**
 * Color helpers on `node:util` `styleText` that become identity functions when `enabled` is
 * false. `enabled` is decided by {@link colorsEnabled} for the stream actually written to, so
 * `styleText`'s own check of `process.stdout` is turned off.
 */
export function createColors(enabled: boolean): {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  gray(text: string): string;
  bold(text: string): string;
  cyan(text: string): string;
} {
  const wrap = (format: Parameters<typeof styleText>[0]) => (text: string) =>
    enabled ? style(format, text, { validateStream: false }) : text;
  return {
    red: wrap('red'),
    yellow: wrap('yellow'),
    green: wrap('green'),
    gray: wrap('gray'),
    bold: wrap('bold'),
    cyan: wrap('cyan'),
  };
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'number' && !Number.isInteger(value)) return String(Math.round(value * 1e4) / 1e4);
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Creates the stderr logger: human text (colored on a TTY, `NO_COLOR` respected) or JSON lines
 * (`--log-format json`), filtered by level (`--verbose` = debug, `--quiet` = warn). Fields whose
 * key looks secret are masked and registered secrets are scrubbed from every line.
 *
 * @example
 * const logger = createLogger({ format: 'json', level: 'debug' });
 * logger.info('model exported', { file: 'runs/latest/model.onnx', seconds: 1.2 });
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? 'human';
  const level = options.level ?? 'info';
  const colors = createColors(options.color ?? colorsEnabled(stream));
  const now = options.now ?? (() => new Date());
  const secrets: string[] = [];

  const emit = (messageLevel: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (order[messageLevel] < order[level]) return;
    const safeFields = fields === undefined ? {} : redactFields(fields);
    let line: string;
    if (format === 'json') {
      const record: Record<string, unknown> = { time: now().toISOString(), level: messageLevel, msg: message };
      for (const [key, value] of Object.entries(safeFields)) {
        record[key] = value instanceof Error ? value.message : value;
      }
      line = JSON.stringify(record);
    } else {
      const extra = Object.entries(safeFields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${formatValue(value)}`)
        .join(' ');
      const prefix =
        messageLevel === 'error'
          ? colors.red('error:') + ' '
          : messageLevel === 'warn'
            ? colors.yellow('warning:') + ' '
            : messageLevel === 'debug'
              ? colors.gray('debug') + ' '
              : '';
      line = prefix + message + (extra === '' ? '' : ' ' + colors.gray(extra));
    }
    options.beforeWrite?.();
    stream.write(scrubSecrets(line, secrets) + '\n');
    options.afterWrite?.();
  };

  return {
    level,
    format,
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    addSecret(secret) {
      if (secret !== undefined && secret.length >= 4 && !secrets.includes(secret)) secrets.push(secret);
    },
    get secrets() {
      return secrets;
    },
  };
}
