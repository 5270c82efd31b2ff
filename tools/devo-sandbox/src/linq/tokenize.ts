import { LinqQueryError, type QueryPosition } from '../sandbox-error';

export type TokenKind = 'identifier' | 'keyword' | 'string' | 'number' | 'duration' | 'operator' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Source text; for strings the unescaped content; keywords in lower case. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** Offsets of the token in the source: `source.slice(offset, end)`. */
  readonly offset: number;
  readonly end: number;
  /** For numbers: the value; for durations: milliseconds. */
  readonly value?: number;
  /** A number written without `.` or exponent. */
  readonly integer?: boolean;
}

const keywords = new Set([
  'from', 'where', 'select', 'group', 'every', 'by', 'as', 'limit', 'pragma',
  'and', 'or', 'not', 'in', 'true', 'false', 'null',
]);

/** The operators of the subset; the two-character ones are read before one-character ones. */
const twoCharacterOperators = new Set(['->', '<=', '>=', '!=', '/=']);
const oneCharacterOperators = new Set(['=', '<', '>', '+', '-', '*', '/', '\\', '%', '(', ')', '[', ']', '{', '}', ',', '.', ':']);

const durationUnits: Record<string, number> = {
  s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000,
};

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '0': '\0' };

const numberPattern = /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/** `A-Z`, `a-z` or `_` (a UTF-16 code unit; `NaN` past the end is none of them). */
function isIdentifierStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isIdentifierPart(code: number): boolean {
  return isIdentifierStart(code) || isDigit(code);
}

/** What `/\s/` matches, with the ASCII cases decided without a regular expression. */
function isSpace(code: number, char: string): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  return code > 126 && /\s/.test(char);
}

/** The operator at `index`, the longest first, or `undefined`. */
function operatorAt(source: string, index: number): string | undefined {
  const two = source.slice(index, index + 2);
  if (twoCharacterOperators.has(two)) return two;
  const one = source[index] as string;
  return oneCharacterOperators.has(one) ? one : undefined;
}

/**
 * Splits a LINQ query into tokens. Handles `//` comments, `"…"`/`'…'` strings with backslash
 * escapes, backtick-quoted names, numbers, durations (`5m`) and the operators of the subset.
 * Throws {@link LinqQueryError} with the line and column of an unreadable character.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  let line = 1;
  let lineStart = 0;
  const position = (): QueryPosition => ({ line, column: index - lineStart + 1 });
  const startHere = (): QueryPosition & { offset: number } => ({ line, column: index - lineStart + 1, offset: index });
  const fail = (detail: string, at: QueryPosition): never => {
    throw new LinqQueryError('ERR_SANDBOX_LINQ_SYNTAX', detail, at);
  };

  while (index < source.length) {
    const char = source[index] as string;
    const code = source.charCodeAt(index);
    if (char === '\n') {
      index += 1;
      line += 1;
      lineStart = index;
      continue;
    }
    if (isSpace(code, char)) {
      index += 1;
      continue;
    }
    if (char === '/' && source[index + 1] === '/') {
      while (index < source.length && source[index] !== '\n') index += 1;
      continue;
    }
    const start = startHere();
    if (char === '"' || char === "'") {
      let text = '';
      index += 1;
      let chunk = index;
      for (;;) {
        const next = source[index];
        if (next === undefined || next === '\n') {
          fail(`unterminated string starting with ${char}: close it with a matching ${char}`, start);
        }
        if (next === char) {
          text += source.slice(chunk, index);
          index += 1;
          break;
        }
        if (next === '\\') {
          const escaped = source[index + 1];
          if (escaped === undefined) fail('unterminated string: a backslash ends the query', start);
          text += source.slice(chunk, index) + (escapes[escaped as string] ?? escaped);
          index += 2;
          chunk = index;
          continue;
        }
        index += 1;
      }
      tokens.push({ kind: 'string', text, ...start, end: index });
      continue;
    }
    if (char === '`') {
      const close = source.indexOf('`', index + 1);
      if (close < 0) fail('unterminated backtick name: close it with `', start);
      index = close + 1;
      tokens.push({ kind: 'identifier', text: source.slice(start.offset + 1, close), ...start, end: index });
      continue;
    }
    if (isDigit(code)) {
      numberPattern.lastIndex = index;
      const match = numberPattern.exec(source) as RegExpExecArray;
      const text = match[0];
      const after = source[index + text.length];
      const integer = match[1] === undefined && match[2] === undefined;
      if (integer && after !== undefined && after in durationUnits && !isIdentifierPart(source.charCodeAt(index + text.length + 1))) {
        index += text.length + 1;
        tokens.push({ kind: 'duration', text: text + after, value: Number(text) * (durationUnits[after] as number), ...start, end: index });
        continue;
      }
      if (isIdentifierPart(source.charCodeAt(index + text.length))) fail(`malformed number "${text}${after}": separate it from the name that follows`, start);
      index += text.length;
      tokens.push({ kind: 'number', text, value: Number(text), integer, ...start, end: index });
      continue;
    }
    if (isIdentifierStart(code)) {
      let end = index + 1;
      while (isIdentifierPart(source.charCodeAt(end))) end += 1;
      const text = source.slice(index, end);
      const lower = text.toLowerCase();
      index = end;
      tokens.push({ kind: keywords.has(lower) ? 'keyword' : 'identifier', text: keywords.has(lower) ? lower : text, ...start, end });
      continue;
    }
    const operator = operatorAt(source, index);
    if (operator === undefined) {
      const hint = char === '!' ? ' (use "not" or "!=")' : char === '&' || char === '|' ? ' (use "and" / "or")' : '';
      fail(`unexpected character "${char}"${hint}`, start);
    }
    index += (operator as string).length;
    tokens.push({ kind: 'operator', text: operator as string, ...start, end: index });
  }
  tokens.push({ kind: 'end', text: '<end of query>', ...position(), offset: index, end: index });
  return tokens;
}
