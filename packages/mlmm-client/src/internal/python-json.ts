/**
 * Serializes like Python's `json.dumps(value)` with its defaults (what `requests` sends for
 * `json=`): separators `", "` and `": "`, `ensure_ascii=True` (every character outside
 * space…`~` escaped as `\uXXXX`, lower-case hex), keys in insertion order.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Out of range float values are not JSON compliant: ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return quoteString(value);
  if (Array.isArray(value)) return `[${value.map((item) => pythonJsonDumps(item)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${quoteString(key)}: ${pythonJsonDumps(item)}`).join(', ')}}`;
  }
  throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

const shortEscapes: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function quoteString(value: string): string {
  // Python's ESCAPE_ASCII = r'([\\"]|[^\ -~])'; code units, so astral characters become surrogate pairs.
  return `"${value.replace(/[\\"]|[^ -~]/g, (character) => shortEscapes[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}
