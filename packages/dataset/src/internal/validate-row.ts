import { isIdnLabel, quoteInput, tryExtractLabel, tryNormalizeLabel, type PslMode } from '@dga/features';
import type { DatasetRow, DatasetSkip, DatasetSkipCode } from '../read-dataset';

/** Column indexes, from the header. */
export interface Columns {
  host: number;
  domain: number;
  class: number;
  subclass: number;
}

function skipOf(line: number, code: DatasetSkipCode, reason: string): DatasetSkip {
  return { line, code, reason };
}

/** A dot, space or control character: the `domain` column must be one label. */
function hasLabelBreaker(domain: string): boolean {
  for (let index = 0; index < domain.length; index++) {
    const code = domain.charCodeAt(index);
    if (code <= 0x20 || code === 0x2e || code === 0x7f) return true;
  }
  return false;
}

/**
 * The class, with case and surrounding whitespace ignored (`LEGIT`, ` Dga ` are accepted);
 * anything else (`benign`, `malicious`, `1`) is not guessed at.
 */
function classOf(value: string): 'legit' | 'dga' | undefined {
  const normalized = value.trim().toLowerCase();
  return normalized === 'legit' || normalized === 'dga' ? normalized : undefined;
}

/**
 * The label to featurize, computed as `classify` and the LINQ do: `extractLabel(host)`
 * (lowercase, IDN → punycode, labels of at most 63 characters, the Public Suffix List). When the
 * host gives none (empty, or refused: e.g. it is itself a public suffix under today's list), the
 * `domain` column, through the same function. `undefined` when neither gives a label.
 */
function labelOf(host: string, domain: string, psl: PslMode): { label: string; labelSource: 'host' | 'domain'; domainLabel: string | undefined } | undefined {
  // The domain column holds a label, not a host: normalised, never looked up in the PSL.
  const domainLabel = domain === '' || hasLabelBreaker(domain) ? undefined : tryNormalizeLabel(domain);
  const hostLabel = host === '' ? undefined : tryExtractLabel(host, { psl });
  if (hostLabel !== undefined) return { label: hostLabel, labelSource: 'host', domainLabel };
  if (domainLabel !== undefined) return { label: domainLabel, labelSource: 'domain', domainLabel };
  return undefined;
}

/**
 * Checks one record (the fields of a data line) and turns it into a row, or says why it is
 * skipped. `labelAgrees` is false when the host gives no label or one that differs from the
 * `domain` column's (PSL drift, or a broken column).
 */
export function validateRow(record: string[], columns: Columns, line: number, psl: PslMode = 'all'): { row: DatasetRow; labelAgrees: boolean } | DatasetSkip {
  if (record.length === 1 && record[0] === '') return skipOf(line, 'empty-line', 'empty line');
  for (const field of record) {
    if (field.includes('\uFFFD')) {
      return skipOf(line, 'invalid-utf8', 'not valid UTF-8 (a byte sequence decoded to U+FFFD)');
    }
  }
  if (record.length < 4) return skipOf(line, 'short-row', `short row: ${record.length} fields, expected 4 (host;domain;class;subclass)`);
  if (record.length > 4) return skipOf(line, 'long-row', `long row: ${record.length} fields, expected 4 (host;domain;class;subclass)`);
  const host = record[columns.host]!.trim();
  const domain = record[columns.domain]!.trim();
  const klass = classOf(record[columns.class]!);
  const subclass = record[columns.subclass]!.trim().toLowerCase();
  if (klass === undefined) {
    return skipOf(line, 'invalid-class', `class ${quoteInput(record[columns.class]!)} is neither "legit" nor "dga" (case and surrounding spaces are ignored)`);
  }
  if (subclass === '') return skipOf(line, 'empty-subclass', 'empty subclass (dropped, as in the tutorial)');
  if (host === '' && domain === '') return skipOf(line, 'empty-domain', 'empty host and domain');
  const label = labelOf(host, domain, psl);
  if (label === undefined) {
    return skipOf(
      line,
      'invalid-domain',
      `no domain label: neither host ${quoteInput(host)} nor domain ${quoteInput(domain)} is a valid host name or label ` +
        '(letters, digits, "-", "_"; labels of at most 63 characters)',
    );
  }
  if (isIdnLabel(label.label)) {
    return skipOf(line, 'idn-label', `IDN label ${quoteInput(label.label)}: not scored, as classify and the Devo query do not score IDN (punycode) labels`);
  }
  return {
    row: { line, host, domain, label: label.label, labelSource: label.labelSource, malicious: klass === 'dga', subclass },
    labelAgrees: label.labelSource === 'host' && label.domainLabel === label.label,
  };
}
