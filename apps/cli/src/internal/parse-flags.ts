import { UsageError } from '../exit-error';

/** Parses a numeric flag, with a usage error naming the flag and the allowed range. */
export function parseNumberFlag(
  value: string | undefined,
  flag: string,
  options: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
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

/** `--threshold`: a probability in [0, 1]. */
export function parseThreshold(value: string | undefined): number | undefined {
  return parseNumberFlag(value, 'threshold', { min: 0, max: 1 });
}

/** Positional inputs of a variadic command (citty keeps them all in `args._`). */
export function positionals(args: { _: string[] }): string[] {
  const separator = args._.indexOf('--');
  return separator === -1 ? [...args._] : [...args._.slice(0, separator), ...args._.slice(separator + 1)];
}
