import { LinqQueryError, type QueryPosition } from '../sandbox-error';
import { tokenize, type Token } from './tokenize';

export type BinaryOperator = 'and' | 'or' | '+' | '-' | '*' | '/' | '\\' | '%' | '->';
export type CompareOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

interface Node {
  readonly position: QueryPosition;
}

/** An expression of the LINQ subset. */
export type Expression =
  | (Node & { readonly type: 'number'; readonly value: number; readonly integer: boolean })
  | (Node & { readonly type: 'string'; readonly value: string })
  | (Node & { readonly type: 'boolean'; readonly value: boolean })
  | (Node & { readonly type: 'null' })
  | (Node & { readonly type: 'duration'; readonly value: number })
  | (Node & { readonly type: 'field'; readonly name: string })
  | (Node & { readonly type: 'call'; readonly name: string; readonly args: readonly Expression[] })
  | (Node & { readonly type: 'negate'; readonly operand: Expression })
  | (Node & { readonly type: 'not'; readonly operand: Expression })
  | (Node & { readonly type: 'binary'; readonly operator: BinaryOperator; readonly left: Expression; readonly right: Expression })
  | (Node & { readonly type: 'compare'; readonly operators: readonly CompareOperator[]; readonly operands: readonly Expression[] })
  | (Node & { readonly type: 'in'; readonly value: Expression; readonly collection: Expression })
  | (Node & { readonly type: 'array'; readonly elements: readonly Expression[] })
  | (Node & { readonly type: 'set'; readonly elements: readonly Expression[] })
  | (Node & { readonly type: 'index'; readonly target: Expression; readonly index: Expression });

/** One item of `select`. */
export interface SelectItem {
  readonly position: QueryPosition;
  readonly expression: Expression | undefined; // undefined for `*`
  readonly alias: string | undefined;
  /** The item's source text (for unaliased items' column names and messages). */
  readonly text: string;
}

export type Clause =
  | { readonly type: 'where'; readonly position: QueryPosition; readonly conditions: readonly Expression[] }
  | { readonly type: 'select'; readonly position: QueryPosition; readonly items: readonly SelectItem[] }
  | {
      readonly type: 'group';
      readonly position: QueryPosition;
      /** Bucket width in ms; `undefined` for `every -` or no `every`. */
      readonly every: number | undefined;
      readonly keys: readonly Expression[];
    };

/** A parsed query: `from TABLE clause* (limit N)? pragma*`. */
export interface Query {
  readonly table: string;
  readonly tablePosition: QueryPosition;
  readonly clauses: readonly Clause[];
  readonly limit: number | undefined;
}

const compareOperators = new Set(['=', '!=', '/=', '<', '<=', '>', '>=']);

/** Binding powers of the infix operators (higher binds tighter). */
const infixPower: Record<string, number> = {
  or: 10,
  and: 20,
  // comparisons, `->` and `in`: 40
  '+': 50,
  '-': 50,
  '*': 60,
  '/': 60,
  '\\': 60,
  '%': 60,
};
const comparePower = 40;
const notPower = 30;
const prefixMinusPower = 70;

/**
 * Parses a LINQ query of the subset in `docs/reference/linq-functions.md` §1 with a recursive-descent (Pratt)
 * parser. Throws {@link LinqQueryError} (`ERR_SANDBOX_LINQ_SYNTAX`) with line and column.
 *
 * @example
 * const query = parseQuery('from demo.ecommerce.data select length(referralUri) as n');
 */
export function parseQuery(source: string): Query {
  return new Parser(source).query();
}

/** Parses a lone expression (for tests and tools). */
export function parseExpression(source: string): Expression {
  const parser = new Parser(source);
  const expression = parser.expression(0);
  parser.expectEnd();
  return expression;
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  query(): Query {
    this.expectKeyword('from', 'a query starts with "from TABLE"');
    const tableToken = this.peek();
    const table = this.tableName();
    const clauses: Clause[] = [];
    let limit: number | undefined;
    for (;;) {
      const token = this.peek();
      if (this.isKeyword(token, 'where')) {
        this.next();
        clauses.push({ type: 'where', position: token, conditions: this.list(() => this.expression(0)) });
      } else if (this.isKeyword(token, 'select')) {
        this.next();
        clauses.push({ type: 'select', position: token, items: this.list(() => this.selectItem()) });
      } else if (this.isKeyword(token, 'group')) {
        this.next();
        clauses.push(this.group(token));
      } else if (this.isKeyword(token, 'limit')) {
        this.next();
        const count = this.next();
        if (count.kind !== 'number' || count.integer !== true) this.fail(count, 'expected a whole number after "limit"');
        limit = count.value;
      } else if (this.isKeyword(token, 'pragma')) {
        this.next();
        this.pragma();
      } else if (token.kind === 'end') {
        break;
      } else {
        this.fail(token, 'expected "where", "select", "group", "limit", "pragma" or the end of the query');
      }
    }
    return { table, tablePosition: tableToken, clauses, limit };
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') this.fail(token, 'expected the end of the expression');
  }

  /** Pratt loop: a prefix expression, then infix operators binding tighter than `minPower`. */
  expression(minPower: number): Expression {
    let left = this.prefix();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'operator' && compareOperators.has(token.text)) {
        if (comparePower <= minPower) break;
        left = this.comparison(left);
        continue;
      }
      if (token.kind === 'operator' && token.text === '->') {
        if (comparePower <= minPower) break;
        this.next();
        left = { type: 'binary', operator: '->', left, right: this.expression(comparePower), position: token };
        continue;
      }
      if (this.isKeyword(token, 'in')) {
        if (comparePower <= minPower) break;
        this.next();
        left = { type: 'in', value: left, collection: this.expression(comparePower), position: token };
        continue;
      }
      const operator = token.kind === 'keyword' || token.kind === 'operator' ? token.text : undefined;
      const power = operator === undefined ? undefined : infixPower[operator];
      if (power === undefined || power <= minPower) break;
      this.next();
      const right = this.expression(power);
      left = { type: 'binary', operator: operator as BinaryOperator, left, right, position: token };
    }
    return left;
  }

  private comparison(first: Expression): Expression {
    const operators: CompareOperator[] = [];
    const operands: Expression[] = [first];
    const position = this.peek();
    while (this.peek().kind === 'operator' && compareOperators.has(this.peek().text)) {
      const operator = this.next();
      if (operator.text === '=' && this.peek().text === '=' && this.peek().kind === 'operator') {
        this.fail(this.peek(), 'LINQ equality is a single "=" (not "==")');
      }
      operators.push(operator.text === '/=' ? '!=' : (operator.text as CompareOperator));
      operands.push(this.expression(comparePower));
    }
    return { type: 'compare', operators, operands, position };
  }

  private prefix(): Expression {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return this.postfix({ type: 'number', value: token.value as number, integer: token.integer === true, position: token });
      case 'string':
        return this.postfix({ type: 'string', value: token.text, position: token });
      case 'duration':
        return { type: 'duration', value: token.value as number, position: token };
      case 'identifier': {
        if (this.peek().kind === 'operator' && this.peek().text === '(') {
          this.next();
          const args = this.peek().text === ')' && this.peek().kind === 'operator' ? [] : this.list(() => this.expression(0));
          this.expectOperator(')', `close the argument list of ${token.text}(`);
          return this.postfix({ type: 'call', name: token.text, args, position: token });
        }
        return this.postfix({ type: 'field', name: token.text, position: token });
      }
      case 'keyword':
        if (token.text === 'true' || token.text === 'false') return { type: 'boolean', value: token.text === 'true', position: token };
        if (token.text === 'null') return { type: 'null', position: token };
        if (token.text === 'not') return { type: 'not', operand: this.expression(notPower), position: token };
        break;
      case 'operator':
        if (token.text === '-') return { type: 'negate', operand: this.expression(prefixMinusPower), position: token };
        if (token.text === '+') return this.expression(prefixMinusPower);
        if (token.text === '(') {
          const inner = this.expression(0);
          this.expectOperator(')', 'close the parenthesis');
          return this.postfix(inner);
        }
        if (token.text === '[') {
          const elements = this.peek().text === ']' && this.peek().kind === 'operator' ? [] : this.list(() => this.expression(0));
          this.expectOperator(']', 'close the array with "]"');
          return this.postfix({ type: 'array', elements, position: token });
        }
        if (token.text === '{') {
          const elements = this.list(() => this.expression(0));
          this.expectOperator('}', 'close the set with "}"');
          return { type: 'set', elements, position: token };
        }
        break;
      default:
        break;
    }
    return this.fail(token, 'expected an expression (a field, literal, function call, "[", "{" or "(")');
  }

  private postfix(expression: Expression): Expression {
    let result = expression;
    while (this.peek().kind === 'operator' && this.peek().text === '[') {
      const open = this.next();
      const index = this.expression(0);
      this.expectOperator(']', 'close the index with "]"');
      result = { type: 'index', target: result, index, position: open };
    }
    return result;
  }

  private selectItem(): SelectItem {
    const first = this.peek();
    if (first.kind === 'operator' && first.text === '*') {
      this.next();
      return { position: first, expression: undefined, alias: undefined, text: '*' };
    }
    const expression = this.expression(0);
    const last = this.tokens[this.index - 1] as Token;
    const text = this.source.slice(first.offset, last.end);
    let alias: string | undefined;
    if (this.isKeyword(this.peek(), 'as')) {
      this.next();
      const name = this.next();
      if (name.kind !== 'identifier') this.fail(name, 'expected a column name after "as"');
      alias = name.text;
    }
    return { position: first, expression, alias, text };
  }

  private group(position: Token): Clause {
    let every: number | undefined;
    let keys: Expression[] = [];
    const readEvery = (): void => {
      const token = this.next();
      if (token.kind === 'duration') every = token.value;
      else if (!(token.kind === 'operator' && token.text === '-')) this.fail(token, 'expected a duration such as 5m, or "-", after "every"');
    };
    if (this.isKeyword(this.peek(), 'every')) {
      this.next();
      readEvery();
    }
    if (this.isKeyword(this.peek(), 'by')) {
      this.next();
      keys = this.list(() => this.expression(0));
    }
    if (this.isKeyword(this.peek(), 'every')) {
      this.next();
      readEvery();
    }
    return { type: 'group', position, every, keys };
  }

  private pragma(): void {
    // pragma KEY(.KEY)* : VALUE — ignored, as Devo's fakes should.
    const key = this.next();
    if (key.kind !== 'identifier' && key.kind !== 'keyword') this.fail(key, 'expected a pragma name such as comment.user');
    while (this.peek().kind === 'operator' && this.peek().text === '.') {
      this.next();
      this.next();
    }
    this.expectOperator(':', 'write pragma KEY:VALUE');
    this.next();
  }

  private tableName(): string {
    const parts = [this.identifierText('expected a table name after "from", e.g. demo.ecommerce.data')];
    while (this.peek().kind === 'operator' && this.peek().text === '.') {
      this.next();
      parts.push(this.identifierText('expected a name after "." in the table name'));
    }
    return parts.join('.');
  }

  private identifierText(message: string): string {
    const token = this.next();
    if (token.kind !== 'identifier' && token.kind !== 'keyword') this.fail(token, message);
    return token.text;
  }

  private list<T>(parseOne: () => T): T[] {
    const items = [parseOne()];
    while (this.peek().kind === 'operator' && this.peek().text === ',') {
      this.next();
      items.push(parseOne());
    }
    return items;
  }

  private expectKeyword(keyword: string, message: string): void {
    const token = this.next();
    if (!this.isKeyword(token, keyword)) this.fail(token, message);
  }

  private expectOperator(operator: string, hint: string): void {
    const token = this.next();
    if (token.kind !== 'operator' || token.text !== operator) this.fail(token, `expected "${operator}": ${hint}`);
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'keyword' && token.text === keyword;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.tokens[this.index] as Token;
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private fail(token: Token, expectation: string): never {
    const shown = token.kind === 'end' ? token.text : token.kind === 'string' ? JSON.stringify(token.text) : `"${token.text}"`;
    throw new LinqQueryError('ERR_SANDBOX_LINQ_SYNTAX', `Encountered ${shown}: ${expectation}`, token);
  }
}
