import { evaluateDevoDate } from '../devo-date-language';
import { hasMarker, markClass } from '../error-marker';

/** A request parameter error, answered as 400 "Bad parameters". */
export class BadParameters extends Error {
  readonly code = 'ERR_QUERY_BAD_PARAMETERS' as const;
  constructor(message: string) {
    super(message);
    this.name = 'BadParameters';
  }

  /** True for a `BadParameters`, even from another copy of the package. */
  static isInstance(value: unknown): value is BadParameters {
    return hasMarker(value, BAD_PARAMETERS_MARKER);
  }
}
const BAD_PARAMETERS_MARKER = Symbol.for('dga.devo-query.testing.bad-parameters');
markClass(BadParameters, BAD_PARAMETERS_MARKER);

function isIsoLike(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}(T|\s|$)/.test(text.trim());
}

export function resolveRequestDate(
  value: unknown,
  name: 'from' | 'to',
  unit: string,
  nowMs: number,
  fromMs?: number,
): number {
  const code = name === 'from' ? '406 : Date from not valid format' : '407 : Date to not valid format';
  if (typeof value === 'number' && Number.isFinite(value)) return unit === 'MILLISECONDS' ? value : value * 1000;
  if (typeof value === 'string') {
    // [I] numeric strings as numbers; ISO text is refused with 406 ([3P]).
    if (/^\d+$/.test(value.trim())) return unit === 'MILLISECONDS' ? Number(value) : Number(value) * 1000;
    if (isIsoLike(value)) throw new BadParameters(code);
    const evaluated = evaluateDevoDate(value, nowMs, name, fromMs);
    if (evaluated !== undefined) return evaluated;
  }
  throw new BadParameters(code);
}
