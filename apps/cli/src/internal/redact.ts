const secretKey = /token|secret|password|passwd|authorization|api[-_]?key|sign|cookie|jwt|credential/i;

/**
 * Query parameters whose value is a secret: tokens, keys, passwords, signatures (`sig`,
 * `signature`), and every `X-Amz-*` / `X-Goog-*` parameter of a pre-signed URL.
 */
const secretParameter = /^x-(amz|goog)-|token|secret|passw|pwd|key|sig|auth|credential|session|jwt|code$/i;

/** A URL in free text: a scheme, `://`, then everything up to white space or a quote. */
const urlInText = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>]+/gi;

/** Masks a secret for display: never more than its length class. */
export function maskSecret(value: string | undefined): string {
  if (value === undefined || value === '') return '(not set)';
  return `*** (${value.length} characters)`;
}

/**
 * The URL safe to show in a log line, an error or a file: `user:password@` removed and the value
 * of every secret query parameter (token, key, secret, password, signature, `X-Amz-*`, …)
 * replaced by `***`; the rest of the URL is kept so the user recognises it.
 *
 * @example
 * redactUrl('https://u:p@bucket.s3.amazonaws.com/d.csv?X-Amz-Signature=abc&v=2');
 * // 'https://bucket.s3.amazonaws.com/d.csv?X-Amz-Signature=***&v=2'
 */
export function redactUrl(url: string): string {
  const [beforeHash = '', ...hash] = url.split('#');
  const queryStart = beforeHash.indexOf('?');
  const base = (queryStart === -1 ? beforeHash : beforeHash.slice(0, queryStart)).replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  const query =
    queryStart === -1
      ? ''
      : '?' +
        beforeHash
          .slice(queryStart + 1)
          .split('&')
          .map((pair) => {
            const equals = pair.indexOf('=');
            const name = equals === -1 ? pair : pair.slice(0, equals);
            let decoded = name;
            try {
              decoded = decodeURIComponent(name);
            } catch {
              // keep the raw name
            }
            return equals !== -1 && secretParameter.test(decoded) ? `${name}=***` : pair;
          })
          .join('&');
  // A fragment may carry a token too (OAuth implicit flow): never shown.
  return base + query + (hash.length > 0 ? '#…' : '');
}

/** Applies {@link redactUrl} to every URL found in `text`. */
export function redactUrls(text: string): string {
  return text.replace(urlInText, (url) => redactUrl(url));
}

/**
 * Returns a copy of `fields` where values under secret-looking keys (token, secret, apiKey,
 * authorization...) are masked and URLs are redacted ({@link redactUrl}).
 */
export function redactFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (secretKey.test(key) && value !== undefined && value !== null && value !== '') out[key] = '***';
    else if (typeof value === 'string') out[key] = redactUrls(value);
    else out[key] = value;
  }
  return out;
}

/**
 * Replaces every occurrence of each secret in `text` with `***` and redacts every URL in it, so
 * that a message built from a server response or an error can never echo a token back.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = redactUrls(text);
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
