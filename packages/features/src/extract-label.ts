import { getDomainWithoutSuffix, parse } from 'tldts';
import { FeaturesError, quoteInput, type FeaturesErrorCode } from './features-error';
import { tryDecodePunycode } from './internal/decode-punycode';

/**
 * Which Public Suffix List rules give the label: `'all'` (ICANN + PRIVATE sections:
 * `fizrbzba.dyndns.org` → `fizrbzba`) or `'icann'` (ICANN only: → `dyndns`). Models record the
 * mode they were trained with (`dga.psl_mode`); it must match what Devo's `rootsuffix` applies.
 */
export type PslMode = 'all' | 'icann';

/** Options of {@link extractLabel} and {@link tryExtractLabel}. */
export interface ExtractLabelOptions {
  /** @default 'all' */
  psl?: PslMode;
}

/** @internal Why an input has no label. */
export interface Failure {
  code: FeaturesErrorCode;
  why: string;
}

/** The ACE prefix that marks a punycode (IDN) label (RFC 5890). */
const IDN_PREFIX = 'xn--';
const schemePattern = /^[a-z][a-z0-9+.-]*:\/\//i;
const ipv4Pattern = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const privateRules = { allowPrivateDomains: true, extractHostname: false, mixedInputs: false } as const;
const icannRules = { allowPrivateDomains: false, extractHostname: false, mixedInputs: false } as const;

function isWhitespace(code: number): boolean {
  return code <= 0x20 || code === 0x7f || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/** Lowercase ASCII host name characters: letters, digits, `-`, `_` (seen in real DNS names) and `.`. */
function isHostCharacter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x5f || code === 0x2e;
}

/** Lowercases ASCII; IDNs go to punycode through WHATWG URL (UTS #46), which also runs in browsers. */
function toAsciiHost(host: string): string | Failure {
  let ascii = true;
  for (let index = 0; index < host.length; index++) {
    if (host.charCodeAt(index) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return host.toLowerCase();
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return { code: 'ERR_FEATURES_INVALID_INPUT', why: 'it is not a valid internationalized host name (IDNA conversion failed)' };
  }
}

function validateHost(host: string): Failure | undefined {
  if (host.length > 253) return { code: 'ERR_FEATURES_INVALID_INPUT', why: 'the host is longer than 253 characters' };
  let labelLength = 0;
  for (let index = 0; index < host.length; index++) {
    const code = host.charCodeAt(index);
    if (!isHostCharacter(code)) {
      return {
        code: 'ERR_FEATURES_INVALID_INPUT',
        why: `the host contains ${JSON.stringify(host[index])}, which is not allowed in a host name (letters, digits, "-", "_", ".")`,
      };
    }
    if (code === 0x2e) {
      if (labelLength === 0) return { code: 'ERR_FEATURES_INVALID_INPUT', why: 'the host has an empty label (".." or a leading ".")' };
      labelLength = 0;
    } else if (++labelLength > 63) {
      return { code: 'ERR_FEATURES_INVALID_INPUT', why: 'a label of the host is longer than 63 characters' };
    }
  }
  if (labelLength === 0) return { code: 'ERR_FEATURES_INVALID_INPUT', why: 'the host has an empty label (it ends with "..")' };
  return undefined;
}

/** The host part of a URL or host input: no scheme, userinfo, port, path, query, fragment or trailing dot. */
function hostOf(input: string): string | Failure {
  let rest = input;
  const scheme = schemePattern.exec(rest);
  if (scheme !== null) rest = rest.slice(scheme[0].length);
  else if (rest.startsWith('//')) rest = rest.slice(2);
  let end = rest.length;
  for (let index = 0; index < rest.length; index++) {
    const code = rest.charCodeAt(index);
    if (code === 0x2f || code === 0x3f || code === 0x23 || code === 0x5c) {
      end = index;
      break;
    }
  }
  let authority = rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  if (authority.startsWith('[')) return { code: 'ERR_FEATURES_IP_ADDRESS', why: 'it is an IPv6 address, which has no domain label' };
  const colon = authority.indexOf(':');
  if (colon !== -1) {
    if (authority.indexOf(':', colon + 1) !== -1) {
      return { code: 'ERR_FEATURES_IP_ADDRESS', why: 'it is an IPv6 address, which has no domain label' };
    }
    const port = authority.slice(colon + 1);
    for (let index = 0; index < port.length; index++) {
      const code = port.charCodeAt(index);
      if (code < 0x30 || code > 0x39) return { code: 'ERR_FEATURES_INVALID_INPUT', why: `its port ${JSON.stringify(port)} is not a number` };
    }
    authority = authority.slice(0, colon);
  }
  if (authority.endsWith('.')) authority = authority.slice(0, -1);
  if (authority.length === 0) return { code: 'ERR_FEATURES_INVALID_INPUT', why: 'it has no host name' };
  return authority;
}

/** True for a label made only of `-` and `_`, such as the `-` that logs write for "no referrer". */
function isPlaceholder(label: string): boolean {
  for (let index = 0; index < label.length; index++) {
    const code = label.charCodeAt(index);
    if (code !== 0x2d && code !== 0x5f) return false;
  }
  return true;
}

/** The failure of a label that is not a hostname label, saying why. */
function notHostname(label: string, reason: string): Failure {
  return { code: 'ERR_FEATURES_INVALID_INPUT', why: `its label ${JSON.stringify(label)} is not a hostname label: ${reason}` };
}

/** The registrable label if it is a hostname label (RFC 1123, IDNA); else why not. */
function checkLabel(label: string): string | Failure {
  if (isPlaceholder(label)) {
    return { code: 'ERR_FEATURES_INVALID_INPUT', why: 'its label has no letter or digit (a "-" often means "no value" in logs)' };
  }
  const first = label.charCodeAt(0);
  if (first === 0x2d || first === 0x5f) return notHostname(label, `it starts with ${JSON.stringify(label[0])}`);
  if (label.charCodeAt(label.length - 1) === 0x2d) return notHostname(label, 'it ends with "-"');
  if (isIdnLabel(label) && !isAlabel(label)) return notHostname(label, 'it starts with "xn--" but is not valid punycode');
  return label;
}

/** True when an `xn--` label decodes (RFC 3492) to a Unicode label: some non-ASCII, no control character. */
function isAlabel(label: string): boolean {
  const codePoints = tryDecodePunycode(label.slice(4));
  if (codePoints === undefined || !codePoints.some((code) => code >= 0x80)) return false;
  return codePoints.every((code) => code >= 0xa0 || (code < 0x80 && isHostCharacter(code) && code !== 0x2e));
}

/** `host`: a URL or host, whose registrable label is wanted; `label`: already a single label. */
export type InputKind = 'host' | 'label';

/**
 * The label of `input` when it is a plain host name (only ASCII letters, digits, `-`, `_` and
 * `.`, the form of nearly every DNS log line), in one scan; `undefined` for anything else (URLs,
 * ports, whitespace, IDNs, IPv4 look-alikes, empty labels), which {@link labelOfAnyInput} handles.
 * Where it answers, it answers exactly as {@link labelOfAnyInput} (a test checks both on the
 * training set and on generated inputs).
 *
 * @internal exported for that test.
 */
export function labelOfPlainHost(input: string, psl: PslMode = 'all'): string | Failure | undefined {
  let end = input.length;
  if (end > 0 && input.charCodeAt(end - 1) === 0x2e) end -= 1;
  if (end === 0 || end > 253) return undefined;
  let upper = false;
  let dots = 0;
  let digitsAndDots = true;
  let labelLength = 0;
  for (let index = 0; index < end; index++) {
    const code = input.charCodeAt(index);
    if (code === 0x2e) {
      if (labelLength === 0) return undefined;
      labelLength = 0;
      dots += 1;
      continue;
    }
    if (++labelLength > 63) return undefined;
    if (code >= 0x61 && code <= 0x7a) digitsAndDots = false;
    else if (code >= 0x41 && code <= 0x5a) {
      digitsAndDots = false;
      upper = true;
    } else if (code >= 0x30 && code <= 0x39) continue;
    else if (code === 0x2d || code === 0x5f) digitsAndDots = false;
    else return undefined;
  }
  // A single-label host, an IPv4 look-alike or an empty last label: the general path says why.
  if (labelLength === 0 || dots === 0 || digitsAndDots) return undefined;
  const sliced = end === input.length ? input : input.slice(0, end);
  const host = upper ? sliced.toLowerCase() : sliced;
  return registrableLabel(host, psl);
}

/** The registrable label of a valid, lowercase, ASCII host with at least one dot. */
function registrableLabel(host: string, psl: PslMode): string | Failure {
  // The common case first: `getDomainWithoutSuffix` fills tldts's one reused result object, where
  // `parse` allocates one per call (about a quarter of what classifying a host allocated). It is
  // null or empty for an IP address and for a host that is itself a public suffix: `parse` tells
  // those apart below.
  const label = getDomainWithoutSuffix(host, psl === 'all' ? privateRules : icannRules);
  if (label !== null && label !== '') return checkLabel(label);
  const result = parse(host, psl === 'all' ? privateRules : icannRules);
  if (result.isIp === true) return { code: 'ERR_FEATURES_IP_ADDRESS', why: 'it is an IP address, which has no domain label' };
  if (result.domainWithoutSuffix !== null && result.domainWithoutSuffix !== '') return checkLabel(result.domainWithoutSuffix);
  // The host is itself a public suffix under ICANN + PRIVATE rules (`blogspot.com`, `github.io`):
  // as in the training data, fall back to the ICANN rules alone (`blogspot.com` → `blogspot`).
  const icann = parse(host, icannRules);
  if (icann.domainWithoutSuffix !== null && icann.domainWithoutSuffix !== '') return checkLabel(icann.domainWithoutSuffix);
  return { code: 'ERR_FEATURES_PUBLIC_SUFFIX', why: 'it is itself a public suffix (like "co.uk"), so it has no registrable label' };
}

function labelOf(input: string, kind: InputKind = 'host', psl: PslMode = 'all'): string | Failure {
  if (kind === 'host') {
    const plain = labelOfPlainHost(input, psl);
    if (plain !== undefined) return plain;
  }
  return labelOfAnyInput(input, kind, psl);
}

/**
 * The label of any input: a URL, a host with port or userinfo, an IDN, an IP address, or a
 * single label (`kind: 'label'`), or why it has none.
 *
 * @internal exported for the test of {@link labelOfPlainHost}.
 */
export function labelOfAnyInput(input: string, kind: InputKind = 'host', psl: PslMode = 'all'): string | Failure {
  if (input.length === 0) return { code: 'ERR_FEATURES_INVALID_INPUT', why: 'it is empty' };
  for (let index = 0; index < input.length; index++) {
    if (isWhitespace(input.charCodeAt(index))) {
      return { code: 'ERR_FEATURES_INVALID_INPUT', why: 'it contains whitespace or a control character' };
    }
  }
  const rawHost = hostOf(input);
  if (typeof rawHost !== 'string') return rawHost;
  const host = toAsciiHost(rawHost);
  if (typeof host !== 'string') return host;
  const invalid = validateHost(host);
  if (invalid !== undefined) return invalid;
  if (ipv4Pattern.test(host)) return { code: 'ERR_FEATURES_IP_ADDRESS', why: 'it is an IPv4 address, which has no domain label' };
  if (kind === 'label') return host.indexOf('.') === -1 ? checkLabel(host) : { code: 'ERR_FEATURES_INVALID_INPUT', why: 'a label has no "."' };
  // A single-label host (`localhost`, an intranet name) has no public suffix, so no registrable
  // label; Devo's `rootsuffix` gives null for it too.
  if (host.indexOf('.') === -1) {
    if (isPlaceholder(host)) return checkLabel(host);
    return {
      code: 'ERR_FEATURES_INVALID_INPUT',
      why: 'it is a single-label host (like "localhost") without a public suffix, so it has no registrable label',
    };
  }
  return registrableLabel(host, psl);
}

/**
 * The domain label a DGA model is trained on: the registrable label without its public suffix,
 * lowercase ASCII (IDNs become punycode). Accepts a URL or a host:
 * `https://user@www.BBC.co.uk:8443/x?y` → `bbc`, `fizrbzba.dyndns.org` → `fizrbzba`,
 * `bücher.de` → `xn--bcher-kva`.
 *
 * Uses the Public Suffix List of `tldts` with the PRIVATE section on; a host that is itself a
 * public suffix under the full list (`blogspot.com`) falls back to ICANN rules (`blogspot`), and
 * unknown TLDs count as a one-label suffix. A single-label host (`localhost`, `google`) has no
 * public suffix and so no label, as in Devo. A label that is not a hostname label (starts with
 * `-` or `_`, ends with `-`, or `xn--` that is not valid punycode) is refused with the reason.
 * `{ psl: 'icann' }` uses the ICANN section only (`fizrbzba.dyndns.org` → `dyndns`).
 *
 * @throws FeaturesError `ERR_FEATURES_INVALID_INPUT` (empty, whitespace, bad characters, a
 *   single-label host, not a hostname label),
 *   `ERR_FEATURES_IP_ADDRESS`, `ERR_FEATURES_PUBLIC_SUFFIX` (`co.uk`).
 * @example
 * extractLabel('https://www.bbc.co.uk/news'); // 'bbc'
 */
export function extractLabel(input: string, options: ExtractLabelOptions = {}): string {
  const result = labelOf(input, 'host', options.psl);
  if (typeof result === 'string') return result;
  throw new FeaturesError(
    result.code,
    `Cannot extract a domain label from ${quoteInput(input)}: ${result.why}. ` +
      'Pass a URL (https://www.example.com/path), a host (www.example.com) or a label (example).',
    { input },
  );
}

/**
 * Like {@link extractLabel}, but returns `undefined` instead of throwing on invalid input.
 *
 * @example
 * tryExtractLabel('192.168.0.1'); // undefined
 */
export function tryExtractLabel(input: string, options: ExtractLabelOptions = {}): string | undefined {
  const result = labelOf(input, 'host', options.psl);
  return typeof result === 'string' ? result : undefined;
}

/**
 * Why `input` has no domain label: the reason {@link extractLabel}'s error gives (a label too
 * long, invalid punycode, an empty label, an IP address…), or `undefined` when it has one. For
 * callers that report inputs without a label instead of throwing; call it only for inputs that
 * {@link tryExtractLabel} refused, so the common case stays one scan.
 *
 * @example
 * whyNoLabel('a..b.com'); // 'the host has an empty label (".." or a leading ".")'
 * whyNoLabel('google.com'); // undefined
 */
export function whyNoLabel(input: string, options: ExtractLabelOptions = {}): string | undefined {
  const result = labelOf(input, 'host', options.psl);
  return typeof result === 'string' ? undefined : result.why;
}

/**
 * True for an IDN label: a label that starts with `xn--` (the ACE prefix of punycode, such as
 * `xn--bcher-kva` for `bücher`). The models are not asked to score IDN labels: encoded, they look
 * random (the encoding, not the name, would be judged), so `dga classify`, training, `dga evaluate`
 * and the generated LINQ all report them as "not scored: IDN" instead (ADR 0011). Labels from
 * {@link extractLabel} are lowercase, so the prefix is checked in lowercase only.
 *
 * @example
 * isIdnLabel(extractLabel('bücher.de')); // true
 * isIdnLabel('google'); // false
 */
export function isIdnLabel(label: string): boolean {
  return label.startsWith(IDN_PREFIX);
}

/**
 * Normalises a label that is already one (such as the `domain` column of a training CSV) as
 * {@link extractLabel} normalises the label it extracts: lowercase, IDN → punycode, at most 63
 * characters, a hostname label. `undefined` when it is not one (a dot, bad characters, `-abc`).
 *
 * @example
 * tryNormalizeLabel('Bücher'); // 'xn--bcher-kva'
 * tryNormalizeLabel('localhost'); // 'localhost' (extractLabel('localhost') throws: a host)
 */
export function tryNormalizeLabel(label: string): string | undefined {
  const result = labelOf(label, 'label');
  return typeof result === 'string' ? result : undefined;
}
