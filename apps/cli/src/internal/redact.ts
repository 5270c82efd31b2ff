const secretKey = /token|secret|password|passwd|authorization|api[-_]?key|sign|cookie|jwt|credential/i;

/** Masks a secret for display: never more than its length class. */
export function maskSecret(value: string | undefined): string {
  if (value === undefined || value === '') return '(not set)';
  return `*** (${value.length} characters)`;
}

/** Removes `user:password@` from URLs found in `text`. */
export function stripUrlCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1');
}

/**
 * Returns a copy of `fields` where values under secret-looking keys (token, secret, apiKey,
 * authorization...) are masked and URLs lose embedded credentials.
 */
export function redactFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (secretKey.test(key) && value !== undefined && value !== null && value !== '') out[key] = '***';
    else if (typeof value === 'string') out[key] = stripUrlCredentials(value);
    else out[key] = value;
  }
  return out;
}

/**
 * Replaces every occurrence of each secret in `text` with `***`, so that a message built from a
 * server response or an error can never echo a token back.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = stripUrlCredentials(text);
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
