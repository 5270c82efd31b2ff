import { UsageError } from '../exit-error';

/** A decimal number as typed (`42`, `0.5`, `.5`, `1e-3`); `Number` alone would also take `0x1F`, `0b1`, `0o7` and `Infinity`. */
const decimalPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** `value` as a number when it is written as a decimal number, else NaN. */
function decimalNumber(value: string): number {
  const trimmed = value.trim();
  return decimalPattern.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** Parses a numeric flag, with a usage error naming the flag and the allowed range. */
export function parseNumberFlag(
  value: string | undefined,
  flag: string,
  options: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const number = decimalNumber(value);
  const integer = options.integer === true;
  const range =
    options.min !== undefined && options.max !== undefined
      ? `between ${options.min} and ${options.max}`
      : options.min !== undefined
        ? `${options.exclusiveMin === true ? 'greater than' : 'at least'} ${options.min}`
        : 'a number';
  const describe = `${integer ? 'an integer' : 'a number'} ${range === 'a number' ? '' : range}`.trim();
  if (value.trim() === '' || !Number.isFinite(number) || (integer && !Number.isInteger(number))) {
    throw new UsageError(`--${flag} ${JSON.stringify(value)}: expected ${describe}`);
  }
  if (
    (options.min !== undefined && (options.exclusiveMin === true ? number <= options.min : number < options.min)) ||
    (options.max !== undefined && number > options.max)
  ) {
    throw new UsageError(`--${flag} ${value}: expected ${describe}`);
  }
  return number;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration flag (`30`, `30s`, `500ms`, `2m`, `1h`; a bare number is seconds) into
 * milliseconds, with a usage error naming the flag.
 */
export function parseDurationFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/.exec(value.trim());
  const milliseconds = match === null ? Number.NaN : Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!);
  if (!(milliseconds >= 1)) {
    throw new UsageError(`--${flag} ${JSON.stringify(value)}: expected a positive duration`, { hint: 'for example 30s, 500ms, 2m or 1h (a bare number is seconds)' });
  }
  return milliseconds;
}

/** A duration as a flag value would give it: `500ms`, `30s`, `5m`, `1h`. */
export function formatDuration(milliseconds: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (milliseconds >= size && milliseconds % size === 0) return `${milliseconds / size}${unit}`;
  }
  return milliseconds >= 1000 ? `${milliseconds / 1000}s` : `${milliseconds}ms`;
}

/** `--threshold`: a probability in [0, 1]. */
export function parseThreshold(value: string | undefined): number | undefined {
  return parseNumberFlag(value, 'threshold', { min: 0, max: 1 });
}

/** `--target-fpr`: a false-positive rate strictly between 0 and 1. */
export function parseTargetFpr(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = decimalNumber(value);
  if (!(number > 0 && number < 1)) {
    throw new UsageError(`--target-fpr ${JSON.stringify(value)}: expected a false-positive rate between 0 and 1 (exclusive)`, {
      hint: 'for example --target-fpr 0.01 (1 % of legit domains flagged, the default) or 0.001 (0.1 %)',
    });
  }
  return number;
}

/** Positional inputs of a variadic command (citty keeps them all in `args._`). */
export function positionals(args: { _: string[] }): string[] {
  const separator = args._.indexOf('--');
  return separator === -1 ? [...args._] : [...args._.slice(0, separator), ...args._.slice(separator + 1)];
}

/**
 * `DGA_TFJS_BACKEND` parsed by `parse` (the pipeline's `tfjsBackendPreference`): unset or empty is
 * undefined (auto); an unknown value is a usage error naming it and the accepted values.
 */
export function tfjsBackendFromEnv<T>(value: string | undefined, parse: (value: string) => T | undefined): T | undefined {
  if (value === undefined || value === '') return undefined;
  const preference = parse(value);
  if (preference === undefined) {
    throw new UsageError(`DGA_TFJS_BACKEND=${value} is not a tfjs backend`, { hint: 'set it to auto, node, wasm or cpu, or unset it' });
  }
  return preference;
}
