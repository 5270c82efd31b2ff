/**
 * What Devo leaves undocumented, as switches: each behaviour the classification query could
 * depend on has one key here, and the sandbox evaluates LINQ under the chosen value instead of
 * guessing kindly. The defaults are the readings the project's references call most likely.
 */
export interface LinqSemantics {
  /**
   * Which Public Suffix List rules `rootsuffix`, `rootdomain`, `publicsuffix`, `rootprefix` and
   * `subdomain` apply: `'private'` (ICANN + PRIVATE: `fizrbzba.dyndns.org` → `fizrbzba.dyndns.org`)
   * or `'icann'` (ICANN only: → `dyndns.org`). @default 'private'
   */
  readonly pslRules: 'private' | 'icann';
  /**
   * Whether `split` keeps trailing empty pieces (`split("in", "in", 0)` is `""`) or drops them as
   * Java's `String.split` does (→ `null`). @default 'keep'
   */
  readonly splitTrailingEmpty: 'keep' | 'drop';
  /** Whether the host functions (`rootsuffix`, …) lowercase their result or keep the input's case. @default 'lower' */
  readonly hostCase: 'lower' | 'preserve';
  /** Whether `x -> "s"` compares case-sensitively. @default 'sensitive' */
  readonly containsCase: 'sensitive' | 'insensitive';
  /**
   * `countbyfilter(s, chars)`: `'set'` counts the characters of `s` that are in `chars`;
   * `'substring'` counts the occurrences of `chars` as a whole. @default 'set'
   */
  readonly countbyfilter: 'set' | 'substring';
  /** Logarithm base of `shannonentropy`: `'2'` (bits) or `'e'` (nats). @default '2' */
  readonly entropyBase: '2' | 'e';
  /**
   * What `mlevalmodel` does with a null element in its array: give `null` for that row, or fail
   * the query ("Error Processing Query"). @default 'null'
   */
  readonly modelOnNull: 'null' | 'error';
  /**
   * Where `locate(s, sub)` counts the first character from: `'0'` (the catalogue's "positions
   * from 0") or `'1'`. @default '0'
   */
  readonly locateBase: '0' | '1';
  /** What `locate` returns when `s` does not contain `sub`: -1, 0 or null. @default '-1' */
  readonly locateNotFound: '-1' | '0' | 'null';
}

/** The readings the references call most likely (and that the sandbox used before they were switches). */
export const DEFAULT_LINQ_SEMANTICS: LinqSemantics = Object.freeze({
  pslRules: 'private',
  splitTrailingEmpty: 'keep',
  hostCase: 'lower',
  containsCase: 'sensitive',
  countbyfilter: 'set',
  entropyBase: '2',
  modelOnNull: 'null',
  locateBase: '0',
  locateNotFound: '-1',
});

/**
 * Every switch and its possible values, the default first.
 *
 * @example
 * for (const [key, values] of Object.entries(linqSemanticsChoices)) console.log(key, values.join('|'));
 */
export const linqSemanticsChoices: { readonly [Key in keyof LinqSemantics]: readonly LinqSemantics[Key][] } = Object.freeze({
  pslRules: ['private', 'icann'],
  splitTrailingEmpty: ['keep', 'drop'],
  hostCase: ['lower', 'preserve'],
  containsCase: ['sensitive', 'insensitive'],
  countbyfilter: ['set', 'substring'],
  entropyBase: ['2', 'e'],
  modelOnNull: ['null', 'error'],
  locateBase: ['0', '1'],
  locateNotFound: ['-1', '0', 'null'],
});

/**
 * The defaults with `overrides` applied.
 *
 * @example
 * resolveLinqSemantics({ pslRules: 'icann' }).splitTrailingEmpty; // 'keep'
 */
export function resolveLinqSemantics(overrides: Partial<LinqSemantics> = {}): LinqSemantics {
  return Object.freeze({ ...DEFAULT_LINQ_SEMANTICS, ...overrides });
}
