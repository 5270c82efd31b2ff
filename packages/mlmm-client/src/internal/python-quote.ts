/**
 * Percent-encodes like Python's `urllib.parse.quote(s)` with the default `safe='/'`: keeps
 * `A–Z a–z 0–9 _ . - ~` and `/`, encodes every other UTF-8 byte as upper-case `%XX` (docs/reference/mlmm-api.md §3).
 */
export function pythonQuote(value: string): string {
  return encodeURIComponent(value)
    .replaceAll('%2F', '/')
    .replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}
