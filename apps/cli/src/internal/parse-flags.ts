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

/**
 * `DGA_TFJS_BACKEND` parsed by `parse` (the trainer's `tfjsBackendPreference`): unset or empty is
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
