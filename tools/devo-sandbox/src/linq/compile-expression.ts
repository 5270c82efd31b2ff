import type { LoadedModel } from '../model-runner';
import { LinqQueryError, type QueryPosition } from '../sandbox-error';
import {
  arrayOf, coerceNumber, isArray, isInteger, isNumeric, isSet, numericResult, sameType, typeName, unifyTypes,
  type DevoType, type DevoValue,
} from './devo-type';
import { aggregateNames, knownFunctionNames, scalarFunctions, type ArgumentInfo, type FunctionContext, type ResolvedFunction } from './functions';
import type { LinqSemantics } from './linq-semantics';
import type { BinaryOperator, CompareOperator, Expression } from './parse';
import type { SubstringIndex } from './substring-index';

/** A row under evaluation: one value per slot of the scope. */
export type Row = DevoValue[];

/** Mutable per-batch state that compiled expressions read. */
export interface EvaluationState extends FunctionContext {
  /** Index of the current row within its batch. */
  rowIndex: number;
  /** Output rows of each `mlevalmodel` call of the batch, by call id. */
  readonly modelOutputs: Map<number, readonly (readonly number[] | null)[]>;
}

/** Computes an expression's value for a row. */
export type Evaluate = (row: Row, state: EvaluationState) => DevoValue;

export interface Compiled {
  readonly type: DevoType;
  readonly evaluate: Evaluate;
  /** Set when the expression is a literal. */
  readonly literal?: DevoValue;
  /**
   * Set for an array literal `[a, b, …]`: its elements before conversion to the array's element
   * type, for a consumer that converts them itself (`mlevalmodel` stores float4 elements in a
   * Float32Array) instead of building the array.
   */
  readonly elements?: readonly Evaluate[];
  /** Set when the value is one of two constants, picked by a condition (`ifthenelse(c, 1, 0)`). */
  readonly choice?: Choice;
  /** Set for a field: the slot it reads. */
  readonly slot?: number;
  /** Set for `text -> "literal"`: the needle's slot in the query's substring index. */
  readonly contains?: { readonly text: Compiled; readonly index: SubstringIndex; readonly slot: number };
}

/** `condition ? whenTrue : whenFalse` over constants. */
export interface Choice {
  readonly condition: Compiled;
  readonly whenTrue: DevoValue;
  readonly whenFalse: DevoValue;
}

/** One `mlevalmodel` call site; evaluated per batch before the expression that holds it. */
export interface ModelCall {
  readonly id: number;
  readonly model: LoadedModel;
  readonly features: Compiled;
  readonly position: QueryPosition;
}

/** One aggregate of the `select` right after `group`; the group stage fills its slot. */
export interface Aggregate {
  readonly name: 'count' | 'sum' | 'avg' | 'min' | 'max';
  readonly argument: Compiled | undefined;
  readonly type: DevoType;
  readonly slot: number;
}

export interface ScopeEntry {
  readonly slot: number;
  readonly type: DevoType;
}

/** Name → slot and type of the fields visible at a point of the query. */
export type Scope = Map<string, ScopeEntry>;

export interface CompileContext {
  readonly scope: Scope;
  /** Models resolved before compiling, keyed by `domain\u0000name`. */
  readonly models: ReadonlyMap<string, LoadedModel>;
  /** Model calls met while compiling the current item, innermost first. */
  readonly modelCalls: ModelCall[];
  readonly nextModelCallId: () => number;
  /** How the undocumented behaviours are evaluated. */
  readonly semantics: LinqSemantics;
  /**
   * Pure subexpressions of the current item that occur more than once, by structure: a repeated
   * one (`float(length(label))` in every proportion) is compiled and evaluated once per row.
   */
  readonly shared?: SharedSubexpressions;
  /** The query's `text -> "literal"` needles, tested together once per distinct text. */
  readonly substrings: SubstringIndex;
  /** Present only while compiling the `select` right after `group`. */
  readonly aggregates?: { readonly scope: Scope; readonly list: Aggregate[]; readonly allocateSlot: () => number };
}

/** The repeated pure subexpressions of one item; see {@link createSharedSubexpressions}. */
export interface SharedSubexpressions {
  /** Structure key of each node seen (equal for equal structure, positions aside). */
  readonly keys: WeakMap<Expression, string>;
  /** How often each pure call or binary node occurs in the item; counted on the first compile. */
  counts: Map<string, number> | undefined;
  readonly compiled: Map<string, Compiled>;
}

/** An empty {@link SharedSubexpressions} for one item. */
export function createSharedSubexpressions(): SharedSubexpressions {
  return { keys: new WeakMap(), counts: undefined, compiled: new Map() };
}

export function modelKey(domain: string, name: string): string {
  return `${domain}\u0000${name}`;
}

function typeError(detail: string, position: QueryPosition): never {
  throw new LinqQueryError('ERR_SANDBOX_LINQ_TYPE', detail, position);
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost));
    }
    previous = current;
  }
  return previous[right.length] as number;
}

/** ` (did you mean "x"?)` when a candidate is close, else the empty string. */
export function suggestion(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const candidateDistance = distance(name.toLowerCase(), candidate.toLowerCase());
    if (candidateDistance < bestDistance) {
      best = candidate;
      bestDistance = candidateDistance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

function literal(type: DevoType, value: DevoValue): Compiled {
  return { type, literal: value, evaluate: () => value };
}

/** Kleene three-valued logic over `true`, `false` and `null`. */
function logical(operator: 'and' | 'or', left: DevoValue, right: DevoValue): boolean | null {
  if (operator === 'and') {
    if (left === false || right === false) return false;
    return left === true && right === true ? true : null;
  }
  if (left === true || right === true) return true;
  return left === false && right === false ? false : null;
}

function compareValues(operator: CompareOperator, left: DevoValue, right: DevoValue): boolean | null {
  if (left === null || right === null) return null;
  switch (operator) {
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return (left as number | string) < (right as number | string);
    case '<=':
      return (left as number | string) <= (right as number | string);
    case '>':
      return (left as number | string) > (right as number | string);
    case '>=':
      return (left as number | string) >= (right as number | string);
  }
}

function comparable(operator: CompareOperator, left: DevoType, right: DevoType): boolean {
  if (left === 'null' || right === 'null') return true;
  if (isNumeric(left) && isNumeric(right)) return true;
  if (left === 'bool' && right === 'bool') return operator === '=' || operator === '!=';
  if (left === 'str' || left === 'timestamp' || left === 'duration') return left === right;
  return false;
}

/**
 * Type-checks an expression against the scope and turns it into a closure over a row.
 * Throws {@link LinqQueryError} for unknown fields or functions, type errors and wrong arity.
 */
export function compileExpression(expression: Expression, context: CompileContext): Compiled {
  const shared = context.shared;
  if (shared === undefined) return compileNode(expression, context);
  // The first expression compiled with a context is its item: count its repeated parts once.
  shared.counts ??= countPureRepeats(expression, shared.keys);
  if (expression.type !== 'call' && expression.type !== 'binary') return compileNode(expression, context);
  const key = structureKey(expression, shared.keys);
  if ((shared.counts.get(key) ?? 0) < 2) return compileNode(expression, context);
  const found = shared.compiled.get(key);
  if (found !== undefined) return found;
  const compiled = compileNode(expression, context);
  const result = compiled.literal !== undefined ? compiled : memoizeByRow(compiled);
  shared.compiled.set(key, result);
  return result;
}

/** The sub-expressions of a node. */
function children(expression: Expression): readonly Expression[] {
  switch (expression.type) {
    case 'call':
      return expression.args;
    case 'negate':
    case 'not':
      return [expression.operand];
    case 'binary':
      return [expression.left, expression.right];
    case 'compare':
      return expression.operands;
    case 'in':
      return [expression.value, expression.collection];
    case 'array':
    case 'set':
      return expression.elements;
    case 'index':
      return [expression.target, expression.index];
    default:
      return [];
  }
}

/**
 * How often each pure call or binary node (one that reads only its row: no model call, no
 * aggregate) occurs under `root`, by structure key.
 */
function countPureRepeats(root: Expression, keys: WeakMap<Expression, string>): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (expression: Expression): boolean => {
    let pure = expression.type !== 'call' || (expression.name !== 'mlevalmodel' && !aggregateNames.has(expression.name));
    for (const child of children(expression)) pure = visit(child) && pure;
    if (pure && (expression.type === 'call' || expression.type === 'binary')) {
      const key = structureKey(expression, keys);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return pure;
  };
  visit(root);
  return counts;
}

/** The fields of a node that are not sub-expressions, as text. */
function ownFields(expression: Expression): string {
  switch (expression.type) {
    case 'number':
      return `${expression.integer}:${expression.value}`;
    case 'string':
      return JSON.stringify(expression.value);
    case 'field':
      return JSON.stringify(expression.name);
    case 'boolean':
    case 'duration':
      return String(expression.value);
    case 'call':
      return expression.name;
    case 'binary':
      return expression.operator;
    case 'compare':
      return expression.operators.join(' ');
    default:
      return '';
  }
}

/** A text equal for nodes of equal structure (positions aside), each node's computed once. */
function structureKey(expression: Expression, keys: WeakMap<Expression, string>): string {
  let key = keys.get(expression);
  if (key !== undefined) return key;
  key = `${expression.type}:${ownFields(expression)}(${children(expression).map((child) => structureKey(child, keys)).join(',')})`;
  keys.set(expression, key);
  return key;
}

/** Remembers the value for the last row evaluated (rows are evaluated item by item, each slot written once). */
function memoizeByRow(compiled: Compiled): Compiled {
  let lastRow: Row | undefined;
  let lastValue: DevoValue = null;
  const inner = compiled.evaluate;
  return {
    type: compiled.type,
    evaluate: (row, state) => {
      if (row !== lastRow) {
        lastValue = inner(row, state);
        lastRow = row;
      }
      return lastValue;
    },
  };
}

function compileNode(expression: Expression, context: CompileContext): Compiled {
  switch (expression.type) {
    case 'number': {
      const type: DevoType = expression.integer ? (Math.abs(expression.value) < 2 ** 31 ? 'int4' : 'int8') : 'float8';
      return literal(type, expression.value);
    }
    case 'string':
      return literal('str', expression.value);
    case 'boolean':
      return literal('bool', expression.value);
    case 'null':
      return literal('null', null);
    case 'duration':
      return literal('duration', expression.value);
    case 'field': {
      const entry = context.scope.get(expression.name);
      if (entry === undefined) {
        throw new LinqQueryError(
          'ERR_SANDBOX_LINQ_UNKNOWN_FIELD',
          `unknown field "${expression.name}"${suggestion(expression.name, context.scope.keys())}; fields here: ${[...context.scope.keys()].join(', ')}`,
          expression.position,
        );
      }
      const slot = entry.slot;
      return { type: entry.type, slot, evaluate: (row) => row[slot] ?? null };
    }
    case 'negate': {
      const operand = compileExpression(expression.operand, context);
      if (!isNumeric(operand.type) && operand.type !== 'duration' && operand.type !== 'null') {
        typeError(`unary "-" needs a number or duration, got ${typeName(operand.type)}`, expression.position);
      }
      return {
        type: operand.type,
        evaluate: (row, state) => {
          const value = operand.evaluate(row, state);
          return value === null ? null : -(value as number);
        },
      };
    }
    case 'not': {
      const operand = compileExpression(expression.operand, context);
      if (operand.type !== 'bool' && operand.type !== 'null') typeError(`"not" needs a bool, got ${typeName(operand.type)}`, expression.position);
      return {
        type: 'bool',
        evaluate: (row, state) => {
          const value = operand.evaluate(row, state);
          return value === null ? null : !(value as boolean);
        },
      };
    }
    case 'binary':
      return compileBinary(expression, context);
    case 'compare': {
      const operands = expression.operands.map((operand) => compileExpression(operand, context));
      expression.operators.forEach((operator, index) => {
        const left = operands[index] as Compiled;
        const right = operands[index + 1] as Compiled;
        if (!comparable(operator, left.type, right.type)) {
          typeError(`cannot compare ${typeName(left.type)} ${operator} ${typeName(right.type)}; convert one side (float(…), str(…), timestamp(…))`, expression.position);
        }
      });
      const operators = expression.operators;
      return {
        type: 'bool',
        evaluate: (row, state) => {
          let result: boolean | null = true;
          let left = (operands[0] as Compiled).evaluate(row, state);
          for (let index = 0; index < operators.length; index += 1) {
            const right = (operands[index + 1] as Compiled).evaluate(row, state);
            result = logical('and', result, compareValues(operators[index] as CompareOperator, left, right));
            if (result === false) return false;
            left = right;
          }
          return result;
        },
      };
    }
    case 'in': {
      const value = compileExpression(expression.value, context);
      const collection = compileExpression(expression.collection, context);
      if (!isSet(collection.type) && !isArray(collection.type)) {
        typeError(`"in" needs a set {a, b} or an array on its right, got ${typeName(collection.type)}`, expression.collection.position);
      }
      const element = (collection.type as { element: DevoType }).element;
      if (unifyTypes(value.type, element) === undefined) {
        typeError(`"in" compares ${typeName(value.type)} with elements of type ${typeName(element)}`, expression.position);
      }
      const constant = collection.literal;
      const constantSet = constant instanceof Set ? constant : undefined;
      return {
        type: 'bool',
        evaluate: (row, state) => {
          const needle = value.evaluate(row, state);
          if (needle === null) return null;
          if (constantSet !== undefined) return constantSet.has(needle);
          const haystack = collection.evaluate(row, state);
          if (haystack === null) return null;
          return haystack instanceof Set ? haystack.has(needle) : (haystack as readonly DevoValue[]).includes(needle);
        },
      };
    }
    case 'array':
    case 'set': {
      const elements = expression.elements.map((element) => compileExpression(element, context));
      let elementType: DevoType = 'null';
      for (const [index, element] of elements.entries()) {
        const unified = unifyTypes(elementType, element.type);
        if (unified === undefined) {
          typeError(`${expression.type} elements must share one type: element ${index + 1} is ${typeName(element.type)}, earlier ones ${typeName(elementType)}`, (expression.elements[index] as Expression).position);
        }
        elementType = unified;
      }
      const finalType = elementType;
      const convert = (value: DevoValue): DevoValue => (typeof value === 'number' ? coerceNumber(value, finalType) : value);
      if (expression.type === 'set') {
        const allLiteral = elements.every((element) => element.literal !== undefined);
        const type: DevoType = { kind: 'set', element: finalType };
        if (allLiteral) return literal(type, new Set(elements.map((element) => convert(element.literal as DevoValue))));
        return { type, evaluate: (row, state) => new Set(elements.map((element) => convert(element.evaluate(row, state)))) };
      }
      return compileArray(elements, finalType);
    }
    case 'index':
      return compileCall('at', [expression.target, expression.index], expression.position, context);
    case 'call':
      return compileCall(expression.name, expression.args, expression.position, context);
  }
}

/** An array literal over compiled elements, converted to the element type `elementType`. */
function compileArray(elements: readonly Compiled[], elementType: DevoType): Compiled {
  const converted = elements.map(({ evaluate }): Evaluate => {
    // coerceNumber changes numbers only for these types.
    if (elementType !== 'float4' && elementType !== 'int4' && elementType !== 'int8') return evaluate;
    return (row, state) => {
      const value = evaluate(row, state);
      return typeof value === 'number' ? coerceNumber(value, elementType) : value;
    };
  });
  const count = converted.length;
  return {
    type: arrayOf(elementType),
    elements: elements.map((element) => element.evaluate),
    evaluate: (row, state) => {
      const values = new Array<DevoValue>(count);
      for (let index = 0; index < count; index += 1) values[index] = (converted[index] as Evaluate)(row, state);
      return values;
    },
  };
}

function compileBinary(expression: Extract<Expression, { type: 'binary' }>, context: CompileContext): Compiled {
  const left = compileExpression(expression.left, context);
  const right = compileExpression(expression.right, context);
  const { operator, position } = expression;
  if (operator === 'and' || operator === 'or') {
    for (const side of [left, right]) {
      if (side.type !== 'bool' && side.type !== 'null') typeError(`"${operator}" needs bool operands, got ${typeName(side.type)}`, position);
    }
    return { type: 'bool', evaluate: (row, state) => logical(operator, left.evaluate(row, state), right.evaluate(row, state)) };
  }
  if (operator === '->') {
    for (const side of [left, right]) {
      if (side.type !== 'str' && side.type !== 'null') typeError(`"->" (contains) needs str operands, got ${typeName(side.type)}`, position);
    }
    return compileContains(left, right, context);
  }
  const leftType = left.type === 'null' ? right.type : left.type;
  const rightType = right.type === 'null' ? left.type : right.type;
  let type: DevoType | undefined;
  if (isNumeric(leftType) && isNumeric(rightType)) {
    type = operator === '\\' ? 'float8' : numericResult(leftType, rightType);
  } else if (operator === '+' || operator === '-') {
    if (leftType === 'timestamp' && rightType === 'duration') type = 'timestamp';
    else if (operator === '+' && leftType === 'duration' && rightType === 'timestamp') type = 'timestamp';
    else if (operator === '-' && leftType === 'timestamp' && rightType === 'timestamp') type = 'duration';
    else if (leftType === 'duration' && rightType === 'duration') type = 'duration';
  } else if (operator === '*' && ((isInteger(leftType) && rightType === 'duration') || (leftType === 'duration' && isInteger(rightType)))) {
    type = 'duration';
  } else if (operator === '/' && leftType === 'duration' && isInteger(rightType)) {
    type = 'duration';
  }
  if (type === undefined) {
    typeError(`operator "${operator}" does not apply to ${typeName(left.type)} and ${typeName(right.type)}${operator === '+' && left.type === 'str' ? ' (the subset has no string concatenation)' : ''}`, position);
  }
  const resultType = type;
  const compute = arithmetic(operator, operator === '/' && isInteger(leftType) && isInteger(rightType));
  const leftEvaluate = left.evaluate;
  const rightEvaluate = right.evaluate;
  const evaluate: Evaluate = (row, state) => {
    const leftValue = leftEvaluate(row, state);
    if (leftValue === null) return null;
    const rightValue = rightEvaluate(row, state);
    if (rightValue === null) return null;
    return compute(leftValue as number, rightValue as number);
  };
  if (resultType !== 'float4' && resultType !== 'int4' && resultType !== 'int8') return { type: resultType, evaluate };
  return {
    type: resultType,
    evaluate: (row, state) => {
      const result = evaluate(row, state);
      return result === null ? null : coerceNumber(result as number, resultType);
    },
  };
}

/** The arithmetic of `operator`, chosen once per call site; `null` for a division by zero. */
function arithmetic(operator: Exclude<BinaryOperator, 'and' | 'or' | '->'>, integerDivision: boolean): (a: number, b: number) => number | null {
  switch (operator) {
    case '+':
      return (a, b) => a + b;
    case '-':
      return (a, b) => a - b;
    case '*':
      return (a, b) => a * b;
    case '/':
      return integerDivision ? (a, b) => (b === 0 ? null : Math.trunc(a / b)) : (a, b) => (b === 0 ? null : a / b);
    case '\\':
      return (a, b) => (b === 0 ? null : a / b);
    case '%':
      return (a, b) => (b === 0 ? null : a % b);
  }
}

/**
 * `text -> part` (contains), case-sensitive or not as the semantics say. A literal `part` joins
 * the query's {@link SubstringIndex}, so the ~200 bigram flags of a label cost one pass over it.
 */
function compileContains(text: Compiled, part: Compiled, context: CompileContext): Compiled {
  const textEvaluate = text.evaluate;
  if (typeof part.literal === 'string') {
    const index = context.substrings;
    const slot = index.add(part.literal);
    return {
      type: 'bool',
      contains: { text, index, slot },
      evaluate: (row, state) => {
        const value = textEvaluate(row, state) as string | null;
        return value === null ? null : index.contains(value, slot);
      },
    };
  }
  const sensitive = context.semantics.containsCase === 'sensitive';
  return {
    type: 'bool',
    evaluate: (row, state) => {
      const value = textEvaluate(row, state) as string | null;
      if (value === null) return null;
      const needle = part.evaluate(row, state) as string | null;
      if (needle === null) return null;
      return sensitive ? value.includes(needle) : value.toLowerCase().includes(needle.toLowerCase());
    },
  };
}

function compileCall(name: string, argumentNodes: readonly Expression[], position: QueryPosition, context: CompileContext): Compiled {
  if (name === 'mlevalmodel') return compileModelCall(argumentNodes, position, context);
  if (aggregateNames.has(name)) return compileAggregate(name as Aggregate['name'], argumentNodes, position, context);
  const spec = scalarFunctions.get(name);
  if (spec === undefined) {
    throw new LinqQueryError(
      'ERR_SANDBOX_LINQ_UNKNOWN_FUNCTION',
      unknownFunctionDetail(name),
      position,
    );
  }
  if (argumentNodes.length < spec.minArgs || argumentNodes.length > spec.maxArgs) {
    throw new LinqQueryError(
      'ERR_SANDBOX_LINQ_ARITY',
      `${name}() takes ${spec.minArgs === spec.maxArgs ? spec.minArgs : `${spec.minArgs} to ${spec.maxArgs}`} argument(s), got ${argumentNodes.length}: ${spec.signatures.map((signature) => name + signature).join(' or ')}`,
      position,
    );
  }
  const args = argumentNodes.map((node) => compileExpression(node, context));
  const infos: ArgumentInfo[] = args.map((argument, index) => ({
    type: argument.type,
    position: (argumentNodes[index] as Expression).position,
    ...(argument.literal === undefined ? {} : { literal: argument.literal }),
  }));
  const resolved = spec.resolve(infos, { name, position, semantics: context.semantics });
  const [first] = args;
  if (resolved.choice !== undefined && first !== undefined) return choiceOf(resolved.type, { condition: first, ...resolved.choice });
  if (args.length === 1 && first?.choice !== undefined && resolved.readsContext !== true) {
    // A function of a value that is one of two constants is one of two constants.
    const { condition, whenTrue, whenFalse } = first.choice;
    const map = (value: DevoValue): DevoValue => (value === null && resolved.propagatesNull !== false ? null : resolved.apply([value], { now: Number.NaN }));
    return choiceOf(resolved.type, { condition, whenTrue: map(whenTrue), whenFalse: map(whenFalse) });
  }
  const evaluators = args.map((argument) => argument.evaluate);
  if (resolved.build !== undefined) return { type: resolved.type, evaluate: resolved.build(evaluators) };
  return { type: resolved.type, evaluate: callEvaluator(args, resolved.apply, resolved.propagatesNull !== false) };
}

/** The closure of a {@link Choice}; a `->` condition is tested in the same closure (the bigram flags). */
function choiceOf(type: DevoType, choice: Choice): Compiled {
  const { condition, whenTrue, whenFalse } = choice;
  const contains = condition.contains;
  if (contains !== undefined) {
    const { index, slot } = contains;
    const field = contains.text.slot;
    const text = contains.text.evaluate;
    const evaluate: Evaluate = field === undefined
      ? (row, state) => {
          const value = text(row, state) as string | null;
          return value !== null && index.contains(value, slot) ? whenTrue : whenFalse;
        }
      : (row) => {
          const value = (row[field] ?? null) as string | null;
          return value !== null && index.contains(value, slot) ? whenTrue : whenFalse;
        };
    return { type, choice, evaluate };
  }
  const evaluate = condition.evaluate;
  return { type, choice, evaluate: (row, state) => (evaluate(row, state) === true ? whenTrue : whenFalse) };
}

/**
 * Evaluates the arguments, then `apply`. Hot path: one argument array per call site, reused
 * for every row (functions read their arguments and keep none; a call site never runs inside
 * itself), with the literal arguments written into it once.
 */
function callEvaluator(args: readonly Compiled[], apply: ResolvedFunction['apply'], propagatesNull: boolean): Evaluate {
  const scratch: DevoValue[] = args.map((argument) => argument.literal ?? null);
  const variable = args.flatMap((argument, index) => (argument.literal === undefined ? [{ index, evaluate: argument.evaluate }] : []));
  if (propagatesNull && args.some((argument) => argument.literal === null)) return () => null;
  const [first] = variable;
  if (variable.length === 0) return (_row, state) => apply(scratch, state);
  if (variable.length === 1 && first !== undefined) {
    const { index, evaluate } = first;
    return (row, state) => {
      const value = evaluate(row, state);
      if (value === null && propagatesNull) return null;
      scratch[index] = value;
      return apply(scratch, state);
    };
  }
  return (row, state) => {
    for (const { index, evaluate } of variable) {
      const value = evaluate(row, state);
      if (value === null && propagatesNull) return null;
      scratch[index] = value;
    }
    return apply(scratch, state);
  };
}

function unknownFunctionDetail(name: string): string {
  const hint = suggestion(name, knownFunctionNames());
  return hint === ''
    ? `unknown function "${name}"; the sandbox knows ${knownFunctionNames().join(', ')}`
    : `unknown function "${name}"${hint}`;
}

function compileModelCall(argumentNodes: readonly Expression[], position: QueryPosition, context: CompileContext): Compiled {
  const [domainNode, nameNode, featuresNode, ...rest] = argumentNodes;
  if (domainNode === undefined || nameNode === undefined || featuresNode === undefined) {
    throw new LinqQueryError('ERR_SANDBOX_LINQ_ARITY', `mlevalmodel() takes 3 arguments, got ${argumentNodes.length}: mlevalmodel(domain: str, model: str, features: float4[])`, position);
  }
  if (rest.length > 0) {
    throw new LinqQueryError(
      'ERR_SANDBOX_LINQ_ARITY',
      `mlevalmodel() got ${argumentNodes.length} arguments: the sandbox runs ONNX models, which take one array of float4 features (mlevalmodel(domain, model, [float4(a), float4(b), …])); the scalar-argument form is for H2O models`,
      position,
    );
  }
  if (domainNode.type !== 'string' || nameNode.type !== 'string') {
    typeError('mlevalmodel() needs the domain and the model name as string literals, e.g. mlevalmodel("self", "dga_classifier_onnx", […])', domainNode.type !== 'string' ? domainNode.position : nameNode.position);
  }
  const model = context.models.get(modelKey(domainNode.value, nameNode.value));
  if (model === undefined) {
    throw new LinqQueryError(
      'ERR_SANDBOX_MODEL_NOT_FOUND',
      `model "${nameNode.value}" is not registered in domain "${domainNode.value}"; register it in the Model Manager first (e.g. dga register)`,
      nameNode.position,
    );
  }
  const features = compileExpression(featuresNode, context);
  if (!isArray(features.type) || features.type.element !== 'float4') {
    typeError(
      `mlevalmodel() expects an array of float4 elements as argument 3, got ${typeName(features.type)}; wrap each feature in float4(…): [float4(a), float4(b)]`,
      featuresNode.position,
    );
  }
  if (featuresNode.type === 'array' && model.inputSize !== undefined && featuresNode.elements.length !== model.inputSize) {
    throw new LinqQueryError(
      'ERR_SANDBOX_MODEL_MISMATCH',
      `mlevalmodel(): model "${model.name}" expects ${model.inputSize} features per row (input [-1, ${model.inputSize}]), but the array has ${featuresNode.elements.length}; pass the features in the order the model was trained on`,
      featuresNode.position,
    );
  }
  const call: ModelCall = { id: context.nextModelCallId(), model, features, position };
  context.modelCalls.push(call);
  const id = call.id;
  return {
    type: arrayOf('float4'),
    evaluate: (_row, state) => state.modelOutputs.get(id)?.[state.rowIndex] ?? null,
  };
}

function compileAggregate(name: Aggregate['name'], argumentNodes: readonly Expression[], position: QueryPosition, context: CompileContext): Compiled {
  const aggregates = context.aggregates;
  if (aggregates === undefined) {
    typeError(`${name}() is an aggregate: use it in the select right after "group", e.g. group by k select ${name}(${name === 'count' ? '' : 'x'}) as n`, position);
  }
  const maxArgs = 1;
  const minArgs = name === 'count' ? 0 : 1;
  if (argumentNodes.length < minArgs || argumentNodes.length > maxArgs) {
    throw new LinqQueryError('ERR_SANDBOX_LINQ_ARITY', `${name}() takes ${name === 'count' ? '0 or 1' : '1'} argument(s), got ${argumentNodes.length}`, position);
  }
  const inner: CompileContext = {
    scope: aggregates.scope,
    models: context.models,
    modelCalls: [],
    nextModelCallId: context.nextModelCallId,
    semantics: context.semantics,
    substrings: context.substrings,
  };
  const argument = argumentNodes[0] === undefined ? undefined : compileExpression(argumentNodes[0], inner);
  if (inner.modelCalls.length > 0) {
    typeError(`the sandbox cannot evaluate mlevalmodel() inside ${name}(): compute it in a select before "group"`, position);
  }
  let type: DevoType;
  if (name === 'count') type = 'int8';
  else {
    const argumentType = (argument as Compiled).type;
    if (name === 'min' || name === 'max') {
      if (!isNumeric(argumentType) && argumentType !== 'str' && argumentType !== 'timestamp') typeError(`${name}() needs a number, str or timestamp, got ${typeName(argumentType)}`, position);
      type = argumentType;
    } else {
      if (!isNumeric(argumentType)) typeError(`${name}() needs a number, got ${typeName(argumentType)}`, position);
      type = name === 'avg' ? 'float8' : isInteger(argumentType) ? 'int8' : sameType(argumentType, 'float4') ? 'float4' : 'float8';
    }
  }
  const slot = aggregates.allocateSlot();
  aggregates.list.push({ name, argument, type, slot });
  return { type, evaluate: (row) => row[slot] ?? null };
}
