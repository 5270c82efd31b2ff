/** A scalar Devo type, as announced in query metadata. */
export type ScalarType =
  | 'str'
  | 'int4'
  | 'int8'
  | 'float4'
  | 'float8'
  | 'bool'
  | 'timestamp'
  | 'duration'
  | 'null';

/** An array of values of one type (what `[a, b]` and `mlevalmodel` give). */
export interface ArrayType {
  readonly kind: 'array';
  readonly element: DevoType;
}

/** A set literal `{a, b}`, only usable on the right of `in`. */
export interface SetType {
  readonly kind: 'set';
  readonly element: DevoType;
}

/** The static type of a LINQ expression. Devo types are checked when a query is launched. */
export type DevoType = ScalarType | ArrayType | SetType;

/** A runtime value. Timestamps and durations are epoch/elapsed milliseconds. */
export type DevoValue = string | number | boolean | null | readonly DevoValue[] | ReadonlySet<DevoValue>;

/** `float4[]`, `str`, … : the name announced in column metadata. */
export function typeName(type: DevoType): string {
  if (typeof type === 'string') return type;
  return type.kind === 'array' ? `${typeName(type.element)}[]` : `{${typeName(type.element)}}`;
}

export function arrayOf(element: DevoType): ArrayType {
  return { kind: 'array', element };
}

export function isInteger(type: DevoType): boolean {
  return type === 'int4' || type === 'int8';
}

export function isFloat(type: DevoType): boolean {
  return type === 'float4' || type === 'float8';
}

export function isNumeric(type: DevoType): boolean {
  return isInteger(type) || isFloat(type);
}

export function isArray(type: DevoType): type is ArrayType {
  return typeof type !== 'string' && type.kind === 'array';
}

export function isSet(type: DevoType): type is SetType {
  return typeof type !== 'string' && type.kind === 'set';
}

export function sameType(left: DevoType, right: DevoType): boolean {
  return typeName(left) === typeName(right);
}

/** The type two numeric operands are computed in: int4 < int8 < float4 < float8, where only float4 with float4 stays float4. */
export function numericResult(left: DevoType, right: DevoType): ScalarType {
  if (isInteger(left) && isInteger(right)) return left === 'int8' || right === 'int8' ? 'int8' : 'int4';
  if (left === 'float4' && right === 'float4') return 'float4';
  return 'float8';
}

/**
 * The common type of two branches (`ifthenelse`, array elements), or `undefined` when there
 * is none. `null` fits anything; numbers widen.
 */
export function unifyTypes(left: DevoType, right: DevoType): DevoType | undefined {
  if (left === 'null') return right;
  if (right === 'null') return left;
  if (sameType(left, right)) return left;
  if (isNumeric(left) && isNumeric(right)) return numericResult(left, right);
  if (isArray(left) && isArray(right)) {
    const element = unifyTypes(left.element, right.element);
    return element === undefined ? undefined : arrayOf(element);
  }
  return undefined;
}

/** Converts a number to the representation of a numeric type. */
export function coerceNumber(value: number, type: DevoType): number {
  if (type === 'float4') return Math.fround(value);
  if (type === 'int4' || type === 'int8') return Math.trunc(value);
  return value;
}
