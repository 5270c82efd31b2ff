const PRAGMA = /\s+pragma\s+[\w.]+\s*:\s*"(?:[^"\\]|\\.)*"\s*$/i;

/**
 * Removes trailing `pragma k:"v"` clauses (the Python SDK appends them, docs/reference/devo-query-api.md §3).
 *
 * @example
 * ```ts
 * stripPragmas('from t pragma comment.id:"python-sdk-app"'); // 'from t'
 * ```
 */
export function stripPragmas(query: string): string {
  let text = query;
  for (;;) {
    const stripped = text.replace(PRAGMA, '');
    if (stripped === text) return text.trim();
    text = stripped;
  }
}
