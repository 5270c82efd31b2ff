import { DevoSandboxError, LinqQueryError, type QueryPosition } from '../sandbox-error';
import {
  arrayOf, coerceNumber, isArray, isInteger, isNumeric, typeName, unifyTypes,
  type DevoType, type DevoValue,
} from './devo-type';
import type { Evaluate } from './compile-expression';
import { splitHost, splitUri } from './host-functions';
import type { LinqSemantics } from './linq-semantics';

/** What a function sees of one argument at launch time. */
export interface ArgumentInfo {
  readonly type: DevoType;
  readonly position: QueryPosition;
  /** The argument's value when it is a literal, else `undefined`. */
  readonly literal?: DevoValue;
}

/** Per-query runtime context of scalar functions. */
export interface FunctionContext {
  /** Query launch time, epoch ms (from the injected clock). */
  readonly now: number;
}

/** A function call resolved against its argument types. */
export interface ResolvedFunction {
  readonly type: DevoType;
  /** Called with the evaluated arguments. */
  readonly apply: (args: readonly DevoValue[], context: FunctionContext) => DevoValue;
  /** When true (the default), any `null` argument gives `null` without calling `apply`. */
  readonly propagatesNull?: boolean;
  /**
   * A faster whole-call evaluator over the argument evaluators, when the arguments allow one
   * (a numeric `float(x)` is `x`; literal `ifthenelse` branches are chosen, not evaluated).
   * It must give what the arguments, `propagatesNull` and `apply` give.
   */
  readonly build?: (args: readonly Evaluate[]) => Evaluate;
  /** Set when the value is `whenTrue` if the first argument is `true`, else `whenFalse` (constants). */
  readonly choice?: { readonly whenTrue: DevoValue; readonly whenFalse: DevoValue };
  /** True when `apply` reads the context (the clock), not only its arguments. */
  readonly readsContext?: boolean;
}

/** The call site a function is resolved for, with the semantics the query runs under. */
export interface FunctionCall {
  readonly name: string;
  readonly position: QueryPosition;
  readonly semantics: LinqSemantics;
}

export interface FunctionSpec {
  /** e.g. `split(s: str, sep: str, index: int)`; shown in arity errors. */
  readonly signatures: readonly string[];
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly resolve: (args: readonly ArgumentInfo[], call: FunctionCall) => ResolvedFunction;
}

const dayMs = 86_400_000;

function typeError(argument: ArgumentInfo, name: string, index: number, expected: string, fix: string): never {
  throw new LinqQueryError(
    'ERR_SANDBOX_LINQ_TYPE',
    `${name}() expects ${expected} as argument ${index + 1}, got ${typeName(argument.type)}${fix === '' ? '' : `; ${fix}`}`,
    argument.position,
  );
}

function requireType(
  args: readonly ArgumentInfo[], name: string, index: number,
  accepts: (type: DevoType) => boolean, expected: string, fix = '',
): void {
  const argument = args[index];
  if (argument !== undefined && argument.type !== 'null' && !accepts(argument.type)) typeError(argument, name, index, expected, fix);
}

const isStr = (type: DevoType): boolean => type === 'str';

function stringFunction(type: DevoType, compute: (text: string, semantics: LinqSemantics) => DevoValue): FunctionSpec {
  return {
    signatures: [`(s: str) → ${typeName(type)}`],
    minArgs: 1,
    maxArgs: 1,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isStr, 'str', 'convert it with str(…)');
      const { semantics } = call;
      return { type, apply: (values) => compute(values[0] as string, semantics) };
    },
  };
}

/** A function of two strings, `(s: str, <second>: str) → type`; `expected` describes the second in type errors. */
function stringPairFunction(type: DevoType, [second, expected]: readonly [string, string], compute: (text: string, other: string, semantics: LinqSemantics) => DevoValue): FunctionSpec {
  return {
    signatures: [`(s: str, ${second}: str) → ${typeName(type)}`],
    minArgs: 2,
    maxArgs: 2,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isStr, 'str', 'convert it with str(…)');
      requireType(args, call.name, 1, isStr, expected);
      const { semantics } = call;
      return { type, apply: (values) => compute(values[0] as string, values[1] as string, semantics) };
    },
  };
}

/**
 * Shannon entropy of the character frequencies of `text`, base 2 (bits per character).
 * Characters are UTF-16 code units, as in Devo's Java engine (inferred).
 */
export function shannonEntropy(text: string, base: LinqSemantics['entropyBase'] = '2'): number {
  if (text.length === 0) return 0;
  const ascii = asciiEntropy(text, base);
  if (ascii !== undefined) return ascii;
  const counts = new Map<number, number>();
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const probability = count / text.length;
    entropy -= probability * (base === '2' ? Math.log2(probability) : Math.log(probability));
  }
  return entropy === 0 ? 0 : entropy;
}

const asciiCounts = new Int32Array(128);
const asciiOrder = new Int32Array(128);

/**
 * {@link shannonEntropy} of an all-ASCII text without a Map: the same sum, term by term in the
 * order of first occurrence (so the same float result); `undefined` for other texts.
 */
function asciiEntropy(text: string, base: LinqSemantics['entropyBase']): number | undefined {
  let distinct = 0;
  let ascii = true;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 128) {
      ascii = false;
      break;
    }
    if (asciiCounts[code] === 0) asciiOrder[distinct++] = code;
    asciiCounts[code] = (asciiCounts[code] as number) + 1;
  }
  let entropy = 0;
  for (let position = 0; position < distinct; position += 1) {
    const code = asciiOrder[position] as number;
    const probability = (asciiCounts[code] as number) / text.length;
    asciiCounts[code] = 0;
    entropy -= probability * (base === '2' ? Math.log2(probability) : Math.log(probability));
  }
  if (!ascii) return undefined;
  return entropy === 0 ? 0 : entropy;
}

/** A set of UTF-16 code units, with the ASCII ones in a table. */
interface CharacterFilter {
  readonly ascii: Uint8Array;
  /** The distinct ASCII codes of the set. */
  readonly asciiCodes: readonly number[];
  readonly other: ReadonlySet<number>;
}

/** The UTF-16 code units of `characters` (built once per query for a literal filter). */
function characterFilter(characters: string): CharacterFilter {
  const ascii = new Uint8Array(128);
  const asciiCodes: number[] = [];
  const other = new Set<number>();
  for (let index = 0; index < characters.length; index += 1) {
    const code = characters.charCodeAt(index);
    if (code >= 128) other.add(code);
    else if (ascii[code] === 0) {
      ascii[code] = 1;
      asciiCodes.push(code);
    }
  }
  return { ascii, asciiCodes, other };
}

/** How often each ASCII character occurs in `histogramText` (a query counts ~30 filters over each label). */
const histogram = new Int32Array(128);
let histogramText: string | undefined;

/** The characters of `text` that are in `filter`. */
function countCharacters(text: string, filter: CharacterFilter): number {
  const { ascii, asciiCodes, other } = filter;
  if (other.size === 0 && asciiCodes.length < text.length) {
    // Fewer characters to look up than to read: sum them from the text's histogram.
    if (text !== histogramText) {
      histogram.fill(0);
      for (let index = 0; index < text.length; index += 1) {
        const code = text.charCodeAt(index);
        if (code < 128) histogram[code] = (histogram[code] as number) + 1;
      }
      histogramText = text;
    }
    let count = 0;
    for (const code of asciiCodes) count += histogram[code] as number;
    return count;
  }
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 128 ? ascii[code] === 1 : other.has(code)) count += 1;
  }
  return count;
}

function toNumber(value: DevoValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return null;
    return Number(trimmed);
  }
  return null;
}

function conversion(type: 'float4' | 'float8' | 'int4' | 'int8'): FunctionSpec {
  return {
    signatures: [`(x: number | str | bool) → ${type}`],
    minArgs: 1,
    maxArgs: 1,
    resolve: (args, call) => {
      requireType(args, call.name, 0, (t) => isNumeric(t) || t === 'str' || t === 'bool' || t === 'timestamp', 'a number, str or bool');
      return {
        type,
        apply: (values) => {
          const number = toNumber(values[0] as DevoValue);
          return number === null ? null : coerceNumber(number, type);
        },
        ...(isNumeric((args[0] as ArgumentInfo).type) ? { build: ([value]) => numericConversion(value as Evaluate, type) } : {}),
      };
    },
  };
}

/** `type(x)` of a numeric `x` (number or null): no parsing, and no call at all for float8. */
function numericConversion(value: Evaluate, type: 'float4' | 'float8' | 'int4' | 'int8'): Evaluate {
  if (type === 'float8') return value;
  const convert = type === 'float4' ? Math.fround : Math.trunc;
  return (row, state) => {
    const number = value(row, state) as number | null;
    return number === null ? null : convert(number);
  };
}

function formatValue(value: DevoValue, type: DevoType): string {
  if (typeof value === 'number' && type === 'timestamp') return new Date(value).toISOString().replace('T', ' ').replace('Z', '');
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => String(item)).join(', ')}]`;
  // A set (the value of an `in` list) has no text form of its own: "[object Set]", as `String` gives it.
  return Object.prototype.toString.call(value);
}

function uriFunction(part: 'scheme' | 'host' | 'path' | 'query' | 'fragment'): FunctionSpec {
  return stringFunction('str', (uri) => splitUri(uri)[part]);
}

/** Distinct hosts remembered per host-function call site (a query's rows repeat their hosts). */
const hostCacheSize = 16_384;

function hostFunction(pick: (host: string, semantics: LinqSemantics) => string | null): FunctionSpec {
  return {
    signatures: ['(s: str) → str'],
    minArgs: 1,
    maxArgs: 1,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isStr, 'str', 'convert it with str(…)');
      const { semantics } = call;
      // Per call site, so per query and per semantics: the Public Suffix List lookup runs once per distinct host.
      const cache = new Map<string, string | null>();
      return {
        type: 'str',
        apply: (values) => {
          const host = values[0] as string;
          if (host === '') return null;
          let result = cache.get(host);
          if (result === undefined) {
            result = pick(host, semantics);
            if (cache.size >= hostCacheSize) cache.clear();
            cache.set(host, result);
          }
          return result;
        },
      };
    },
  };
}

function hostParts(host: string, semantics: LinqSemantics): ReturnType<typeof splitHost> {
  return splitHost(host, semantics.pslRules, semantics.hostCase);
}

/** `text.split(separator)`, without the trailing empty pieces when the semantics drop them (as Java does). */
function splitPieces(text: string, separator: string, semantics: LinqSemantics): string[] {
  const pieces = text.split(separator);
  if (semantics.splitTrailingEmpty === 'drop' && text !== '') {
    while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  }
  return pieces;
}

/**
 * `splitPieces(text, separator, semantics)[index] ?? null` without splitting the whole text:
 * the piece is found by searching the separator `index` times.
 */
function splitPiece(text: string, separator: string, index: number, semantics: LinqSemantics): string | null {
  if (separator === '' || index < 0) return splitPieces(text, separator, semantics)[index] ?? null;
  let start = 0;
  for (let piece = 0; piece < index; piece += 1) {
    const found = text.indexOf(separator, start);
    if (found === -1) return null;
    start = found + separator.length;
  }
  const end = text.indexOf(separator, start);
  const value = end === -1 ? text.slice(start) : text.slice(start, end);
  // An empty piece may be a trailing one that the semantics drop: decide as splitPieces does.
  if (value === '' && semantics.splitTrailingEmpty === 'drop') return splitPieces(text, separator, semantics)[index] ?? null;
  return value;
}

/** Occurrences of `needle` in `text`, not overlapping (the `substring` reading of `countbyfilter`). */
function countOccurrences(text: string, needle: string): number {
  if (needle === '') return 0;
  let count = 0;
  for (let index = text.indexOf(needle); index !== -1; index = text.indexOf(needle, index + needle.length)) count += 1;
  return count;
}

function clockFunction(offsetDays: number | undefined): FunctionSpec {
  return {
    signatures: ['() → timestamp'],
    minArgs: 0,
    maxArgs: offsetDays === undefined ? 0 : 1,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isStr, 'a time zone str such as "UTC"');
      const zone = args[0]?.literal;
      if (args.length > 0 && zone !== 'UTC' && zone !== 'GMT') {
        throw new LinqQueryError('ERR_SANDBOX_LINQ_TYPE', `${call.name}(): the sandbox only knows the UTC time zone; drop the argument or pass "UTC"`, (args[0] as ArgumentInfo).position);
      }
      return {
        type: 'timestamp',
        readsContext: true,
        apply: (_values, context) =>
          offsetDays === undefined ? context.now : Math.floor(context.now / dayMs) * dayMs - offsetDays * dayMs,
      };
    },
  };
}

function unitFunction(unitMs: number, extract: (date: Date) => number): FunctionSpec {
  return {
    signatures: ['() → duration', '(t: timestamp) → int4'],
    minArgs: 0,
    maxArgs: 1,
    resolve: (args, call) => {
      if (args.length === 0) return { type: 'duration', apply: () => unitMs };
      requireType(args, call.name, 0, (t) => t === 'timestamp', 'a timestamp');
      return { type: 'int4', apply: ([time]) => extract(new Date(time as number)) };
    },
  };
}

/**
 * The scalar functions of the subset (docs/reference/linq-functions.md §3), by name. `mlevalmodel` and the
 * aggregates are handled by the compiler, which knows about models and groups.
 */
export const scalarFunctions: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['split', {
    signatures: ['(s: str, separator: str, index: int) → str', '(s: str, separator: str) → str[]'],
    minArgs: 2,
    maxArgs: 3,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isStr, 'str', 'convert it with str(…)');
      requireType(args, call.name, 1, isStr, 'a str separator');
      const { semantics } = call;
      if (args.length === 2) {
        return { type: arrayOf('str'), apply: ([text, separator]) => splitPieces(text as string, separator as string, semantics) };
      }
      requireType(args, call.name, 2, isInteger, 'an int index (0-based)');
      return {
        type: 'str',
        apply: (values) => splitPiece(values[0] as string, values[1] as string, values[2] as number, semantics),
      };
    },
  }],
  ['substring', {
    // Catalogue only: positions from 0, the length optional (docs/reference/linq-functions.md §8).
    // What Devo does out of range is unknown; the sandbox takes the strictest reading and fails
    // the query, so a generated query that could go out of range is caught here.
    signatures: ['(s: str, start: int, length?: int) → str'],
    minArgs: 2,
    maxArgs: 3,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isStr, 'str', 'convert it with str(…)');
      requireType(args, call.name, 1, isInteger, 'an int start (0-based)');
      requireType(args, call.name, 2, isInteger, 'an int length');
      return {
        type: 'str',
        apply: ([text, start, length]) => {
          const source = text as string;
          const from = start as number;
          const count = length === undefined ? undefined : (length as number);
          const to = count === undefined ? source.length : from + count;
          if (from < 0 || to < from || to > source.length) {
            throw new DevoSandboxError(
              'ERR_SANDBOX_LINQ_RANGE',
              `Error Processing Query: substring() at line ${call.position.line}:${call.position.column}: start ${from}${count === undefined ? '' : `, length ${count}`} is out of range for a string of ${source.length} characters; check the length first (in an earlier where)`,
            );
          }
          return source.slice(from, to);
        },
      };
    },
  }],
  // Catalogue only ("check page"): the position of `sub` in `s`. Where it counts from and what it
  // returns when `sub` is absent are switches (LinqSemantics.locateBase, locateNotFound).
  ['locate', stringPairFunction('int4', ['sub', 'a str to look for'], (text, sub, { locateBase, locateNotFound }) => {
    const index = text.indexOf(sub);
    if (index >= 0) return index + Number(locateBase);
    return locateNotFound === 'null' ? null : Number(locateNotFound);
  })],
  ['length', stringFunction('int4', (text) => text.length)],
  ['shannonentropy', stringFunction('float8', (text, semantics) => shannonEntropy(text, semantics.entropyBase))],
  ['lower', stringFunction('str', (text) => text.toLowerCase())],
  ['upper', stringFunction('str', (text) => text.toUpperCase())],
  ['countbyfilter', {
    signatures: ['(s: str, characters: str) → int4'],
    minArgs: 2,
    maxArgs: 2,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isStr, 'str');
      requireType(args, call.name, 1, isStr, 'a str of the characters to count');
      const constant = args[1]?.literal;
      if (call.semantics.countbyfilter === 'substring') {
        return { type: 'int4', apply: ([text, characters]) => countOccurrences(text as string, characters as string) };
      }
      const constantFilter = typeof constant === 'string' ? characterFilter(constant) : undefined;
      return {
        type: 'int4',
        apply: (values) => countCharacters(values[0] as string, constantFilter ?? characterFilter(values[1] as string)),
      };
    },
  }],
  ['float', conversion('float8')],
  ['float8', conversion('float8')],
  ['float4', conversion('float4')],
  ['int', conversion('int4')],
  ['int4', conversion('int4')],
  ['int8', conversion('int8')],
  ['str', {
    signatures: ['(x) → str'],
    minArgs: 1,
    maxArgs: 1,
    resolve: (args) => {
      const type = (args[0] as ArgumentInfo).type;
      return { type: 'str', apply: ([value]) => formatValue(value as DevoValue, type) };
    },
  }],
  ['at', {
    signatures: ['(array: T[], index: int) → T'],
    minArgs: 2,
    maxArgs: 2,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isArray, 'an array');
      requireType(args, call.name, 1, isInteger, 'an int index (0-based)');
      const arrayType = (args[0] as ArgumentInfo).type;
      return {
        type: isArray(arrayType) ? arrayType.element : 'null',
        apply: ([array, index]) => (array as readonly DevoValue[])[index as number] ?? null,
      };
    },
  }],
  ['ifthenelse', {
    signatures: ['(condition: bool, then: T, else: T) → T'],
    minArgs: 3,
    maxArgs: 3,
    resolve: (args, call) => {
      requireType(args, call.name, 0, (t) => t === 'bool', 'a bool condition', 'compare, e.g. res > 0.5');
      const [, then, otherwise] = args as [ArgumentInfo, ArgumentInfo, ArgumentInfo];
      const type = unifyTypes(then.type, otherwise.type);
      if (type === undefined) {
        throw new LinqQueryError('ERR_SANDBOX_LINQ_TYPE', `ifthenelse() branches have different types (${typeName(then.type)} and ${typeName(otherwise.type)}); convert one of them`, otherwise.position);
      }
      const branch = (value: DevoValue): DevoValue => (typeof value === 'number' ? coerceNumber(value, type) : value);
      return {
        type,
        propagatesNull: false,
        apply: (values) => branch(values[0] === true ? (values[1] as DevoValue) : (values[2] as DevoValue)),
        ...(then.literal !== undefined && otherwise.literal !== undefined ? { choice: { whenTrue: branch(then.literal), whenFalse: branch(otherwise.literal) } } : {}),
      };
    },
  }],
  ['isnull', {
    signatures: ['(x) → bool'],
    minArgs: 1,
    maxArgs: 1,
    resolve: () => ({ type: 'bool', propagatesNull: false, apply: ([value]) => value === null }),
  }],
  ['isnotnull', {
    signatures: ['(x) → bool'],
    minArgs: 1,
    maxArgs: 1,
    resolve: () => ({ type: 'bool', propagatesNull: false, apply: ([value]) => value !== null }),
  }],
  ['urihost', uriFunction('host')],
  ['uripath', uriFunction('path')],
  ['uriquery', uriFunction('query')],
  ['urifragment', uriFunction('fragment')],
  ['urischeme', uriFunction('scheme')],
  ['uriport', {
    signatures: ['(uri: str) → int4'],
    minArgs: 1,
    maxArgs: 1,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isStr, 'str');
      return { type: 'int4', apply: ([uri]) => splitUri(uri as string).port };
    },
  }],
  ['publicsuffix', hostFunction((host, semantics) => hostParts(host, semantics)?.publicSuffix ?? null)],
  ['topleveldomain', hostFunction((host, semantics) => {
    const hostname = hostParts(host, semantics)?.hostname;
    return hostname === undefined ? null : (hostname.split('.').pop() ?? null);
  })],
  ['rootsuffix', hostFunction((host, semantics) => hostParts(host, semantics)?.domain ?? null)],
  ['rootdomain', hostFunction((host, semantics) => hostParts(host, semantics)?.domainWithoutSuffix ?? null)],
  ['rootprefix', hostFunction((host, semantics) => {
    const parts = hostParts(host, semantics);
    if (parts === undefined || parts.publicSuffix === null || parts.domain === null) return null;
    return parts.hostname.slice(0, parts.hostname.length - parts.publicSuffix.length - 1);
  })],
  ['subdomain', hostFunction((host, semantics) => hostParts(host, semantics)?.subdomain ?? null)],
  ['now', clockFunction(undefined)],
  ['today', clockFunction(0)],
  ['yesterday', clockFunction(1)],
  ['day', unitFunction(dayMs, (date) => date.getUTCDate())],
  ['hour', unitFunction(3_600_000, (date) => date.getUTCHours())],
  ['minute', unitFunction(60_000, (date) => date.getUTCMinutes())],
  ['second', unitFunction(1000, (date) => date.getUTCSeconds())],
  ['timestamp', {
    signatures: ['(text: str "YYYY-MM-DD hh:mm:ss") → timestamp'],
    minArgs: 1,
    maxArgs: 1,
    resolve: (args, call) => {
      requireType(args, call.name, 0, isStr, 'a str such as "2023-11-06 07:30:00"');
      return {
        type: 'timestamp',
        apply: ([text]) => {
          const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec((text as string).trim());
          if (match === null) return null;
          const [, year, month, day, hour = '0', minute = '0', second = '0', millis = '0'] = match;
          return Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(millis.padEnd(3, '0')));
        },
      };
    },
  }],
]);

/** Aggregates usable in the `select` right after `group`. */
export const aggregateNames: ReadonlySet<string> = new Set(['count', 'sum', 'avg', 'min', 'max']);

/** Every function name the sandbox knows, for "did you mean" hints. */
export function knownFunctionNames(): string[] {
  return [...scalarFunctions.keys(), ...aggregateNames, 'mlevalmodel'].sort();
}

