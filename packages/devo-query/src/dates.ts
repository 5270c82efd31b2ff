import { DevoQueryError } from './errors';

/**
 * A date for `from`/`to`: a `Date`, epoch **milliseconds**, or a string (see {@link resolveQueryDate}).
 *
 * @example
 * ```ts
 * const dates: QueryDate[] = [new Date(), Date.UTC(2024, 0, 1), '2024-01-01 12:30:00', 'now()-1*hour()', 'now() - 1h'];
 * ```
 */
export type QueryDate = Date | number | string;

const MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000, month: 2_592_000_000 };
const DURATIONS: Record<string, number> = {
  'second()': MS.second,
  'minute()': MS.minute,
  'hour()': MS.hour,
  'day()': MS.day,
  'week()': MS.week,
  // The Python SDK's month() is 30 days ([C], docs/reference/devo-query-api.md §4).
  'month()': MS.month,
};
const EXPRESSION_TOKEN = /\s*(\d+(?:\.\d+)?|[a-z]+\(\)|[-+*/()])/y;

function invalidDate(name: string, value: string, reason: string): DevoQueryError {
  return new DevoQueryError(
    'ERR_QUERY_INVALID_DATE',
    `Invalid query option "${name}": ${JSON.stringify(value.slice(0, 80))} ${reason}. Pass a Date, epoch milliseconds, ` +
      `"YYYY-MM-DD[ HH:MM:SS]" (UTC), an expression such as "now() - 1 * hour()", or a Devo date string such as "now() - 1h".`,
  );
}

/**
 * Evaluates the official Python SDK's date expressions (docs/reference/devo-query-api.md §4, [C]): integers, `+ - * /`,
 * parentheses, `now() today() yesterday()` (epoch ms, days in UTC) and durations `second() minute()
 * hour() day() week() month()`. A recursive-descent parser, never `eval`. Returns epoch ms, or
 * `undefined` when the text is not such an expression (e.g. the Devo date language `now() - 1h`).
 *
 * @example
 * ```ts
 * evaluateDateExpression('now() - 1 * hour()', Date.UTC(2024, 0, 1)); // Date.UTC(2023, 11, 31, 23)
 * evaluateDateExpression('now() - 1h', 0);                            // undefined (Devo language)
 * ```
 */
export function evaluateDateExpression(text: string, nowMs: number): number | undefined {
  const today = nowMs - (((nowMs % MS.day) + MS.day) % MS.day);
  const functions: Record<string, number> = { ...DURATIONS, 'now()': nowMs, 'today()': today, 'yesterday()': today - MS.day };
  const tokens: string[] = [];
  EXPRESSION_TOKEN.lastIndex = 0;
  const source = text.trim();
  while (EXPRESSION_TOKEN.lastIndex < source.length) {
    const match = EXPRESSION_TOKEN.exec(source);
    if (match === null) return undefined;
    tokens.push(match[1]!);
  }
  if (!tokens.some((token) => token.endsWith('()'))) return undefined;
  let position = 0;
  const parseSum = (): number => {
    let value = parseProduct();
    while (tokens[position] === '+' || tokens[position] === '-') {
      const operator = tokens[position++];
      const right = parseProduct();
      value = operator === '+' ? value + right : value - right;
    }
    return value;
  };
  const parseProduct = (): number => {
    let value = parseUnary();
    while (tokens[position] === '*' || tokens[position] === '/') {
      const operator = tokens[position++];
      const right = parseUnary();
      value = operator === '*' ? value * right : value / right;
    }
    return value;
  };
  const parseUnary = (): number => {
    if (tokens[position] === '-') {
      position++;
      return -parseUnary();
    }
    if (tokens[position] === '+') {
      position++;
      return parseUnary();
    }
    return parsePrimary();
  };
  const parsePrimary = (): number => {
    const token = tokens[position++];
    if (token === undefined) return Number.NaN;
    if (token === '(') {
      const value = parseSum();
      return tokens[position++] === ')' ? value : Number.NaN;
    }
    if (token.endsWith('()')) return functions[token] ?? Number.NaN;
    const number = Number(token);
    return Number.isFinite(number) ? number : Number.NaN;
  };
  const value = parseSum();
  return position === tokens.length && Number.isFinite(value) ? value : undefined;
}

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

/**
 * Converts a {@link QueryDate} to what the Query API expects in `from`/`to` (docs/reference/devo-query-api.md §4):
 * - `Date` and numbers (epoch **ms**) → epoch seconds (floored); a 10-digit number is refused as probable epoch seconds;
 * - `"YYYY-MM-DD"` / `"YYYY-MM-DD HH:MM:SS"` → epoch seconds, read as UTC;
 * - a 10-digit integer string → epoch seconds unchanged; other integer strings are ms (÷ 1000), as the Python SDK does;
 * - Python SDK expressions (`now()-1*hour()`, `today() - 2 * day()`) → evaluated with `nowMs`, epoch seconds;
 * - ISO-8601 text (`2024-01-01T00:00:00Z`) → throws `ERR_QUERY_INVALID_DATE` (the server answers 406);
 * - anything else (`now() - 1h`, `1d`, `today`, `(now() - 1d) @ 1d`) → passed through to the server's date language.
 *
 * @example
 * ```ts
 * resolveQueryDate('2024-01-01 12:30:00', 'from', 0); // 1704112200
 * resolveQueryDate('now() - 1h', 'from', 0);          // 'now() - 1h'
 * ```
 */
export function resolveQueryDate(value: QueryDate, name: string, nowMs: number): number | string {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw invalidDate(name, 'Invalid Date', 'is an invalid Date');
    return Math.floor(ms / 1000);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidDate(name, String(value), 'is not a finite number of epoch milliseconds');
    // A 10-digit number is almost surely epoch *seconds* (as ms it would be Jan–Apr 1970): refuse
    // it rather than silently query the wrong half-century.
    if (Math.abs(value) >= 1e9 && Math.abs(value) < 1e10) {
      throw invalidDate(name, String(value), 'looks like epoch seconds, but numbers are epoch milliseconds (multiply by 1000, or pass the digits as a string)');
    }
    return Math.floor(value / 1000);
  }
  if (typeof value !== 'string') throw invalidDate(name, String(value), 'has an unsupported type');
  const text = value.trim();
  if (text === '') throw invalidDate(name, value, 'is empty');
  if (/^\d+$/.test(text)) return text.length === 10 ? Number(text) : Math.floor(Number(text) / 1000);
  const plain = PLAIN_DATE.exec(text);
  if (plain !== null) {
    const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = plain.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
    const ms = Date.UTC(year, month - 1, day, hour, minute, second);
    const check = new Date(ms);
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
      throw invalidDate(name, value, 'is not a valid calendar date');
    }
    return ms / 1000;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw invalidDate(name, value, 'looks like ISO-8601, which the Query API rejects (400, "406 : Date from not valid format")');
  }
  const evaluated = evaluateDateExpression(text, nowMs);
  if (evaluated !== undefined) return Math.floor(evaluated / 1000);
  return text;
}
