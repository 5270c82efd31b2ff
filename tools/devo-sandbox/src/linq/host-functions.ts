import { parse as parseDomain } from 'tldts';

/** The parts of a URI, split as RFC 3986 appendix B does; absent parts are `null`. */
export interface UriParts {
  readonly scheme: string | null;
  readonly host: string | null;
  readonly port: number | null;
  readonly path: string | null;
  readonly query: string | null;
  readonly fragment: string | null;
}

const uriPattern = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

/**
 * Splits a URI without normalising it (no lower-casing, no punycode): `urihost` returns the
 * host as written. A string with no `//authority` has no host.
 */
export function splitUri(uri: string): UriParts {
  const match = uriPattern.exec(uri);
  if (match === null) return { scheme: null, host: null, port: null, path: null, query: null, fragment: null };
  const authority = match[2];
  let host: string | null = null;
  let port: number | null = null;
  if (authority !== undefined) {
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    const portMatch = /^(\[[^\]]*\]|[^:]*)(?::([0-9]*))?$/.exec(hostPort);
    host = portMatch?.[1] ?? hostPort;
    const portText = portMatch?.[2];
    port = portText === undefined || portText === '' ? null : Number(portText);
  }
  return {
    scheme: match[1] ?? null,
    host: host === '' ? null : host,
    port,
    path: match[3] === undefined || match[3] === '' ? null : match[3],
    query: match[4] ?? null,
    fragment: match[5] ?? null,
  };
}

/** The parts of a host name per the Public Suffix List (ICANN and private sections). */
export interface HostParts {
  readonly hostname: string;
  readonly publicSuffix: string | null;
  readonly domain: string | null;
  readonly domainWithoutSuffix: string | null;
  readonly subdomain: string | null;
}

/**
 * Parses a host with tldts. With `'private'` rules the PRIVATE section is on
 * (`fizrbzba.dyndns.org` → `fizrbzba`), and a host that is itself a public suffix under the full
 * list (`blogspot.com`) falls back to the ICANN rules alone (`blogspot`), as `@dga/features` does;
 * with `'icann'` rules only the ICANN section is used (`fizrbzba.dyndns.org` → `dyndns`).
 * `hostCase: 'preserve'` returns the parts in the input's case instead of lowercase.
 */
export function splitHost(host: string, rules: 'private' | 'icann' = 'private', hostCase: 'lower' | 'preserve' = 'lower'): HostParts | undefined {
  const full = parseDomain(host, { allowPrivateDomains: rules === 'private', validateHostname: false });
  if (full.hostname === null || full.isIp === true) return undefined;
  const parsed = full.domain === null && rules === 'private' ? parseDomain(host, { allowPrivateDomains: false, validateHostname: false }) : full;
  const parts: HostParts = {
    hostname: full.hostname,
    publicSuffix: parsed.publicSuffix,
    domain: parsed.domain,
    domainWithoutSuffix: parsed.domainWithoutSuffix,
    subdomain: parsed.subdomain,
  };
  return hostCase === 'lower' ? parts : inInputCase(host, parts);
}

/** The parts as they are written in `host` (tldts lowercases; a Devo engine might not). */
function inInputCase(host: string, parts: HostParts): HostParts {
  const lower = host.toLowerCase();
  const original = (part: string | null, fromEnd: boolean): string | null => {
    if (part === null) return null;
    const index = fromEnd ? lower.lastIndexOf(part) : lower.indexOf(part);
    return index === -1 ? part : host.slice(index, index + part.length);
  };
  return {
    hostname: original(parts.hostname, false) ?? parts.hostname,
    publicSuffix: original(parts.publicSuffix, true),
    domain: original(parts.domain, true),
    domainWithoutSuffix: original(parts.domainWithoutSuffix, true),
    subdomain: original(parts.subdomain, false),
  };
}
