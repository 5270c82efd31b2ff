/** True when `value` carries the `Symbol.for` marker `key` (on itself or its prototype chain). */
export function hasMarker(value: unknown, key: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[key] === true;
}

/** Marks every instance of `target` (through its prototype) with `key`, for `isInstance` across package copies. */
export function markClass(target: { readonly prototype: object }, key: symbol): void {
  Object.defineProperty(target.prototype, key, { value: true });
}
