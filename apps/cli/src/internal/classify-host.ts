import { isIdnLabel, tryExtractLabel, whyNoLabel, type PslMode } from '@dga/features';

/** The start of the `error` of an input without a registrable label; the specific reason follows. */
export const NO_LABEL_REASON = 'no registrable label';

/**
 * The `error` of an input whose label is an IDN (punycode) label: not scored, as the generated
 * Devo query does not score it either (ADR 0011: once encoded, an IDN looks random to the model).
 */
export const IDN_REASON = 'not scored: IDN label (punycode), which the model does not judge';

/**
 * Why an input is not scored: it rides along in the output with this `error` and null scores,
 * with its `label` when it has one (an IDN label).
 */
export interface NotScored {
  readonly label: string | null;
  readonly error: string;
}

/**
 * What `dga classify` does with one input before the model: the label it is scored on, or why it
 * is not scored. The one place of that decision, used on the main thread and in the workers alike.
 *
 * @example
 * labelToScore('https://www.google.com/x', 'all'); // 'google'
 * labelToScore('10.0.0.1', 'all'); // { label: null, error: 'no registrable label: it is an IPv4 address, …' }
 * labelToScore('bücher.de', 'all'); // { label: 'xn--bcher-kva', error: IDN_REASON }
 */
export function labelToScore(input: string, psl: PslMode): string | NotScored {
  const label = tryExtractLabel(input, { psl });
  if (label === undefined || label === '') return { label: null, error: noLabelError(input, psl) };
  if (isIdnLabel(label)) return { label, error: IDN_REASON };
  return label;
}

/** `NO_LABEL_REASON` with the reason `@dga/features` gives, the same whichever path refused the input. */
function noLabelError(input: string, psl: PslMode): string {
  const why = whyNoLabel(input, { psl });
  return why === undefined ? NO_LABEL_REASON : `${NO_LABEL_REASON}: ${why}`;
}
