import { describe, expect, it } from 'vitest';
import { parseExpression, parseQuery, type Expression } from './parse';

/** A compact S-expression view of an AST, for readable expectations. */
function show(expression: Expression): string {
  switch (expression.type) {
    case 'number':
    case 'boolean':
      return String(expression.value);
    case 'string':
      return JSON.stringify(expression.value);
    case 'null':
      return 'null';
    case 'duration':
      return `${expression.value}ms`;
    case 'field':
      return expression.name;
    case 'call':
      return `${expression.name}(${expression.args.map(show).join(' ')})`;
    case 'negate':
      return `(neg ${show(expression.operand)})`;
    case 'not':
      return `(not ${show(expression.operand)})`;
    case 'binary':
      return `(${expression.operator} ${show(expression.left)} ${show(expression.right)})`;
    case 'compare':
      return `(${expression.operators.join(',')} ${expression.operands.map(show).join(' ')})`;
    case 'in':
      return `(in ${show(expression.value)} ${show(expression.collection)})`;
    case 'array':
      return `[${expression.elements.map(show).join(' ')}]`;
    case 'set':
      return `{${expression.elements.map(show).join(' ')}}`;
    case 'index':
      return `(at ${show(expression.target)} ${show(expression.index)})`;
  }
}

describe('parseExpression', () => {
  it.each([
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['(1 + 2) * 3', '(* (+ 1 2) 3)'],
    ['a - b - c', '(- (- a b) c)'],
    ['10 / 2 \\ 3 % 4', '(% (\\ (/ 10 2) 3) 4)'],
    ['-a * b', '(* (neg a) b)'],
    ['a or b and c', '(or a (and b c))'],
    ['not a = b and c', '(and (not (= a b)) c)'],
    ['a + 1 > b * 2', '(> (+ a 1) (* b 2))'],
    ['x -> "com" or y in {1, 2}', '(or (-> x "com") (in y {1 2}))'],
    ['a < eventdate <= b', '(<,<= a eventdate b)'],
    ['a /= b', '(!= a b)'],
    ['f(x)[0][1]', '(at (at f(x) 0) 1)'],
    ['[float4(a), float4(b)]', '[float4(a) float4(b)]'],
    ['at(mlevalmodel("self", "m", [float4(length)]), 0)', 'at(mlevalmodel("self" "m" [float4(length)]) 0)'],
    ['now() - 1h', '(- now() 3600000ms)'],
    ['ifthenelse(res>0.5, "false", "true")', 'ifthenelse((> res 0.5) "false" "true")'],
    ['f()', 'f()'],
    ['true and not false or null', '(or (and true (not false)) null)'],
  ])('parses %s', (source, expected) => {
    expect(show(parseExpression(source))).toBe(expected);
  });

  it.each([
    ['a ==  b', /line 1:4: Encountered "=": LINQ equality is a single "="/],
    ['f(a,', /line 1:5: Encountered <end of query>: expected an expression/],
    ['(a', /line 1:3: Encountered <end of query>: expected "\)"/],
    ['[1, 2', /expected "\]"/],
    ['a b', /line 1:3: Encountered "b": expected the end of the expression/],
  ])('rejects %s with its position', (source, message) => {
    expect(() => parseExpression(source)).toThrow(message);
  });
});

describe('parseQuery', () => {
  it('parses the tutorial query (docs/reference/linq-functions.md §6)', () => {
    const query = parseQuery(`from demo.ecommerce.data
  select split(referralUri, "/",2) as domain,
  float(length(domain)) as length,
  shannonentropy(domain) as entropy,
  float(countbyfilter(domain, "aeiouAEIOU")) as vowel_proportion,
  at(mlevalmodel("self", "dga_classifier_onnx", [float4(length), float4(vowel_proportion)]),0) as res,
  ifthenelse(res>0.5, "false", "true") as isMalicious`);
    expect(query.table).toBe('demo.ecommerce.data');
    expect(query.clauses).toHaveLength(1);
    const select = query.clauses[0];
    expect(select?.type).toBe('select');
    if (select?.type !== 'select') return;
    expect(select.items.map((item) => item.alias)).toEqual(['domain', 'length', 'entropy', 'vowel_proportion', 'res', 'isMalicious']);
    expect(select.items[1]?.position).toMatchObject({ line: 3, column: 3 });
    expect(select.items[0]?.text).toBe('split(referralUri, "/",2)');
  });

  it('parses repeated where/select clauses, group, limit and ignores pragmas', () => {
    const query = parseQuery(
      'from t where a > 1, b -> "x" select a as c group every 5m by c select count() as n where n > 2 limit 10 pragma comment.id:"python-sdk-app" pragma comment.user:"u"',
    );
    expect(query.clauses.map((clause) => clause.type)).toEqual(['where', 'select', 'group', 'select', 'where']);
    const group = query.clauses[2];
    expect(group?.type === 'group' && group.every).toBe(300_000);
    expect(query.limit).toBe(10);
  });

  it('accepts "group by k every -" and "select *"', () => {
    const query = parseQuery('from t group by k every - select *');
    const group = query.clauses[0];
    expect(group?.type === 'group' && group.every).toBeUndefined();
    const select = query.clauses[1];
    expect(select?.type === 'select' && select.items[0]?.expression).toBeUndefined();
  });

  it.each([
    ['select x', /line 1:1: Encountered "select": a query starts with "from TABLE"/],
    ['from t select', /line 1:14: Encountered <end of query>: expected an expression/],
    ['from t select a as', /expected a column name after "as"/],
    ['from t limit x', /expected a whole number after "limit"/],
    ['from t\n  selct a', /line 2:3: Encountered "selct": expected "where", "select", "group"/],
  ])('rejects %j with its position', (source, message) => {
    expect(() => parseQuery(source)).toThrow(message);
  });
});
