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
 * Parses a host with tldts, private PSL domains on (`fizrbzba.dyndns.org` → `fizrbzba`). When
 * the host is itself a public suffix under the full list (`blogspot.com`), the ICANN rules alone
 * are used (`blogspot`), as the project's data and `@dga/features` do.
 */
export function splitHost(host: string): HostParts | undefined {
  const full = parseDomain(host, { allowPrivateDomains: true });
  if (full.hostname === null || full.isIp === true) return undefined;
  const parsed = full.domain === null ? parseDomain(host, { allowPrivateDomains: false }) : full;
  return {
    hostname: full.hostname,
    publicSuffix: parsed.publicSuffix,
    domain: parsed.domain,
    domainWithoutSuffix: parsed.domainWithoutSuffix,
    subdomain: parsed.subdomain,
  };
}
