import { describe, expect, it } from 'vitest';
import { LinqQueryError } from '../sandbox-error';
import { tokenize } from './tokenize';

const kinds = (source: string): string[] => tokenize(source).map((token) => `${token.kind}:${token.text}`);

describe('tokenize', () => {
  it('reads identifiers, keywords (case-insensitive), numbers, strings and operators', () => {
    expect(kinds('SELECT split(u, "/", 2) as d')).toEqual([
      'keyword:select', 'identifier:split', 'operator:(', 'identifier:u', 'operator:,', 'string:/', 'operator:,',
      'number:2', 'operator:)', 'keyword:as', 'identifier:d', 'end:<end of query>',
    ]);
  });

  it('reads single-quoted strings and backslash escapes', () => {
    const [single, escaped] = tokenize(`'a"b' "c\\"d\\\\e\\n"`);
    expect(single?.text).toBe('a"b');
    expect(escaped?.text).toBe('c"d\\e\n');
  });

  it('skips // comments to the end of the line and tracks line and column', () => {
    const tokens = tokenize('from t // the table\n  select x');
    expect(tokens.map((token) => token.text)).toEqual(['from', 't', 'select', 'x', '<end of query>']);
    expect(tokens[2]).toMatchObject({ line: 2, column: 3, offset: 22 });
  });

  it('tells durations from numbers and names', () => {
    const tokens = tokenize('5m 1h 15s 2d 1w 3 4.5 1e3');
    expect(tokens.map((token) => [token.kind, token.value])).toEqual([
      ['duration', 300_000], ['duration', 3_600_000], ['duration', 15_000], ['duration', 172_800_000], ['duration', 604_800_000],
      ['number', 3], ['number', 4.5], ['number', 1000], ['end', undefined],
    ]);
    expect(tokens[5]?.integer).toBe(true);
    expect(tokens[6]?.integer).toBe(false);
  });

  it('reads two-character operators before one-character ones', () => {
    expect(kinds('a->b <= c >= d != e /= f \\ g').filter((kind) => kind.startsWith('operator'))).toEqual([
      'operator:->', 'operator:<=', 'operator:>=', 'operator:!=', 'operator:/=', 'operator:\\',
    ]);
  });

  it('reads backtick-quoted names', () => {
    expect(kinds('`my-table`')[0]).toBe('identifier:my-table');
  });

  it('reports an unterminated string at its opening quote', () => {
    expect(() => tokenize('select "abc')).toThrow(LinqQueryError);
    try {
      tokenize('select\n  "abc');
    } catch (error) {
      expect(error).toMatchObject({ line: 2, column: 3, code: 'ERR_SANDBOX_LINQ_SYNTAX' });
    }
  });

  it('reports an unexpected character with a hint', () => {
    expect(() => tokenize('a && b')).toThrow(/line 1:3: unexpected character "&" \(use "and" \/ "or"\)/);
  });
});
