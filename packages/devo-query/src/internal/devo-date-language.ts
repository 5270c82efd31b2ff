/**
 * A small evaluator of Devo's server-side date language (docs/reference/devo-query-api.md §4), used by the fake server only.
 * Supports `now()`, parentheses, `+`/`-` durations (`1h`, `30m`), snapping with `@`/`|<`,
 * `>>`/`<<` (next/previous unit start), and the legacy shorthands `now`, `today`, `endday`,
 * `endmonth`, `<N>[dhms]`, `<N>a[dhms]`. Month/year durations are 30/365 days [I]; weeks snap to
 * Monday [I]; `^` (replace part) and `timeZone` are not supported (the fake answers 406).
 * Returns epoch ms, or undefined when the text is not understood.
 */
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  W: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

function snap(ms: number, unit: string): number {
  const date = new Date(ms);
  switch (unit) {
    case 's':
    case 'm':
    case 'h':
    case 'd':
      return ms - (((ms % UNIT_MS[unit]!) + UNIT_MS[unit]!) % UNIT_MS[unit]!);
    case 'w':
    case 'W': {
      const day = snap(ms, 'd');
      const weekday = (date.getUTCDay() + 6) % 7; // Monday = 0
      return day - weekday * UNIT_MS.d!;
    }
    case 'M':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    case 'y':
      return Date.UTC(date.getUTCFullYear(), 0, 1);
    default:
      return Number.NaN;
  }
}

function next(ms: number, unit: string, direction: 1 | -1): number {
  const start = snap(ms, unit);
  const date = new Date(start);
  if (unit === 'M') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + direction, 1);
  if (unit === 'y') return Date.UTC(date.getUTCFullYear() + direction, 0, 1);
  return start + direction * UNIT_MS[unit]!;
}

const TOKEN = /\s*(now\(\)|\(|\)|\|<|>>|<<|@|\+|-|(\d+)([smhdwWMy]))/y;

export function evaluateDevoDate(
  text: string,
  nowMs: number,
  role: 'from' | 'to',
  fromMs?: number,
): number | undefined {
  const trimmed = text.trim();
  const today = snap(nowMs, 'd');
  if (trimmed === 'now') return nowMs;
  if (trimmed === 'today') return today;
  if (trimmed === 'endday') {
    const base = role === 'to' && fromMs !== undefined ? fromMs : nowMs;
    return snap(base, 'd') + UNIT_MS.d! - 1000;
  }
  if (trimmed === 'endmonth') {
    const base = role === 'to' && fromMs !== undefined ? fromMs : nowMs;
    return next(base, 'M', 1) - 1000;
  }
  const legacy = /^(\d+)(a?)([dhms])$/.exec(trimmed);
  if (legacy !== null) {
    const amount = Number(legacy[1]) * UNIT_MS[legacy[3]!]!;
    if (role === 'to' && fromMs !== undefined) return fromMs + amount;
    return (legacy[2] === 'a' ? today : nowMs) - amount;
  }
  const tokens: { text: string; amount?: number; unit?: string }[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < trimmed.length) {
    const match = TOKEN.exec(trimmed);
    if (match === null) return undefined;
    tokens.push(match[2] === undefined ? { text: match[1]! } : { text: 'n', amount: Number(match[2]), unit: match[3]! });
  }
  let position = 0;
  const expression = (): number => {
    let value = primary();
    while (position < tokens.length && tokens[position]!.text !== ')') {
      const operator = tokens[position++]!.text;
      const operand = tokens[position++];
      if (operand?.unit === undefined || operand.amount === undefined) return Number.NaN;
      if (operator === '+') value += operand.amount * UNIT_MS[operand.unit]!;
      else if (operator === '-') value -= operand.amount * UNIT_MS[operand.unit]!;
      else if (operator === '@' || operator === '|<') value = snap(value, operand.unit);
      else if (operator === '>>') value = next(value, operand.unit, 1);
      else if (operator === '<<') value = next(value, operand.unit, -1);
      else return Number.NaN;
    }
    return value;
  };
  const primary = (): number => {
    const token = tokens[position++];
    if (token?.text === 'now()') return nowMs;
    if (token?.text === '(') {
      const value = expression();
      if (tokens[position++]?.text !== ')') return Number.NaN;
      return value;
    }
    return Number.NaN;
  };
  const value = expression();
  return position === tokens.length && Number.isFinite(value) ? value : undefined;
}
