import { FeaturesError, quoteInput } from './features-error';
import type { FeatureDefinition } from './feature-definitions';
import { DEFAULT_FEATURE_SET, getFeatureSet, type FeatureSetName } from './feature-set';

/** Options of {@link linqFeatureItems}. */
export interface LinqFeatureItemsOptions {
  /** The source column: a URL (`referralUri`) or a host (`serverHost`). */
  field: string;
  /**
   * `'url'`: an absolute URL with a scheme (`https://host:port/path`), as in Devo's tutorial;
   * `'host'`: a bare host name.
   */
  fieldKind: 'url' | 'host';
  /** @default 'bigram' */
  featureSet?: FeatureSetName;
}

/** LINQ `select` items computing the label and then each feature. */
export interface LinqFeatureItems {
  /** `expression as column` items, in order; each may use the columns defined before it. */
  items: string[];
  /** The feature columns in the model's input order. */
  featureColumns: string[];
  /** The column holding the label (`label`). */
  labelColumn: string;
  /**
   * Conditions (to join in a `where`) that keep only rows whose label the features can take:
   * not null, at most 63 characters, only `a-z 0-9 - _`, at least one letter or digit.
   */
  labelConditions: string[];
  /**
   * Conditions for a second `where`, after {@link LinqFeatureItems.labelConditions} (they assume
   * a non-empty label), that keep only the labels `dga classify` scores: a hostname label (not
   * starting with `-` or `_`, not ending with `-`) that is not an IDN label (`xn--`, which is
   * "not scored: IDN", ADR 0011). Together with `labelConditions` they refuse every label
   * `extractLabel` refuses or `isIdnLabel` leaves unscored.
   */
  labelShapeConditions: string[];
}

/**
 * The column holding the label in the generated LINQ (`label`); feature expressions in model
 * metadata (`dga.feature_linq`) are written over it.
 *
 * @example
 * getFeatureSet('tutorial').features.map((feature) => feature.linq(LINQ_LABEL_COLUMN));
 */
export const LINQ_LABEL_COLUMN = 'label';
const probabilityColumn = 'dga_probability';
const maliciousColumn = 'isMalicious';

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const tablePattern = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const stringValuePattern = /^[^"'\\\r\n]+$/;
const labelCharacters = 'abcdefghijklmnopqrstuvwxyz0123456789';

function invalidOption(name: string, value: unknown, fix: string): FeaturesError {
  return new FeaturesError('ERR_FEATURES_INVALID_OPTION', `Invalid ${name} ${quoteInput(String(value))}: ${fix}`, {
    input: String(value),
    option: name,
  });
}

/** The LINQ expression of the lowercased host, for each field kind. */
function hostExpression(field: string, fieldKind: 'url' | 'host'): string {
  // `split(u, "/", 2)` is the host part of `scheme://host/...` (the tutorial's idiom); the outer
  // `split(…, ":", 0)` drops a `:port`. Piece 0 and an inner piece are the same whether or not
  // `split` keeps trailing empty pieces. `lower` because training lowercases the host.
  return fieldKind === 'host' ? `lower(${field})` : `lower(split(split(${field}, "/", 2), ":", 0))`;
}

/** The conditions that keep labels `extractLabel` would accept (see {@link LinqFeatureItems.labelConditions}). */
function labelConditions(label: string): string[] {
  return [
    `isnotnull(${label})`,
    `length(${label}) < 64`,
    `countbyfilter(${label}, "${labelCharacters}-_") = length(${label})`,
    `countbyfilter(${label}, "${labelCharacters}") > 0`,
  ];
}

/**
 * `"value" as column` for each string constant the features read (the `ngram` set's pair tables,
 * the `char` set's alphabet), in feature order, each column once: the select items a query puts
 * before the features.
 *
 * @example
 * linqConstantItems(getFeatureSet('char').features); // ['"abcdefghijklmnopqrstuvwxyz0123456789-" as char_alphabet']
 */
export function linqConstantItems(features: readonly FeatureDefinition[]): string[] {
  const columns = new Map<string, string>();
  for (const { linqConstant } of features) {
    if (linqConstant !== undefined && !columns.has(linqConstant.column)) columns.set(linqConstant.column, `"${linqConstant.value}" as ${linqConstant.column}`);
  }
  return [...columns.values()];
}

/**
 * The conditions of {@link LinqFeatureItems.labelShapeConditions}, each with the most strongly
 * evidenced constructs that express it (docs/reference/linq-evidence.md, "The label filter"):
 * - no leading `-` or `_`: piece 0 of `split` at that character is not empty (piece 0 is the
 *   same whether or not `split` keeps trailing empty pieces);
 * - no trailing `-`: the last character, `substring(label, length(label) - 1, 1)`, is not `-`
 *   (in range: the first `where` guarantees a non-empty label); counted with `countbyfilter` over
 *   one character, where the set and substring readings agree;
 * - not `xn--…`: a label containing `xn--` whose pieces at `-` start `xn`, `""` starts with it.
 *   Piece 1 is then an inner piece (the label has at least two `-` after it or text after them),
 *   so it too is the same under both readings of `split`; `ifthenelse` picks it only then.
 */
function labelShapeConditions(label: string): string[] {
  const firstPiece = (separator: string) => `split(${label}, "${separator}", 0)`;
  const idnSecondPiece = `ifthenelse(${label} -> "xn--", ifthenelse(${firstPiece('-')} = "xn", split(${label}, "-", 1), "x"), "x")`;
  return [
    `length(${firstPiece('-')}) > 0`,
    `length(${firstPiece('_')}) > 0`,
    `countbyfilter(substring(${label}, length(${label}) - 1, 1), "-") = 0`,
    `length(${idnSecondPiece}) > 0`,
  ];
}

/**
 * The LINQ `select` items that compute, inside Devo, exactly the features training computed:
 * first the label (the registrable label without public suffix, as `extractLabel` gives), then
 * the string constants some features read (`"…" as english_pair_share_table`), then each feature
 * of the set from that label, in the model's input order. Rows whose label fails
 * `labelConditions` must be filtered out before the features reach a model.
 *
 * The label is `split(rootsuffix(lower(host)), ".", 0)`: `rootsuffix` (registered domain incl.
 * suffix, `www.bbc.co.uk` → `bbc.co.uk`) and `lower` are known from a catalogue of Devo's
 * operations; `split` from Devo's tutorials. `rootdomain` would give the label directly but its
 * output is unconfirmed, so it is not used. See docs/reference/linq-evidence.md.
 *
 * @throws FeaturesError `ERR_FEATURES_INVALID_OPTION` for a field that is not a plain identifier.
 * @example
 * linqFeatureItems({ field: 'referralUri', fieldKind: 'url', featureSet: 'tutorial' }).items;
 * // ['split(rootsuffix(lower(split(split(referralUri, "/", 2), ":", 0))), ".", 0) as label',
 * //  'float(length(label)) as length', 'shannonentropy(label) as entropy',
 * //  'float(countbyfilter(label, "aeiouAEIOU")) / float(length(label)) as vowel_proportion']
 */
export function linqFeatureItems(options: LinqFeatureItemsOptions): LinqFeatureItems {
  const { field, fieldKind } = options;
  if (typeof field !== 'string' || !identifierPattern.test(field)) {
    throw invalidOption('field', field, 'use the name of a column of the table, such as referralUri or serverHost.');
  }
  if (fieldKind !== 'url' && fieldKind !== 'host') {
    throw invalidOption('fieldKind', fieldKind, "use 'url' for a URL column or 'host' for a host-name column.");
  }
  const set = getFeatureSet(options.featureSet ?? DEFAULT_FEATURE_SET);
  const items = [`split(rootsuffix(${hostExpression(field, fieldKind)}), ".", 0) as ${LINQ_LABEL_COLUMN}`, ...linqConstantItems(set.features)];
  for (const feature of set.features) items.push(`${feature.linq(LINQ_LABEL_COLUMN)} as ${feature.column}`);
  return {
    items,
    featureColumns: set.features.map((feature) => feature.column),
    labelColumn: LINQ_LABEL_COLUMN,
    labelConditions: labelConditions(LINQ_LABEL_COLUMN),
    labelShapeConditions: labelShapeConditions(LINQ_LABEL_COLUMN),
  };
}

/** Options of {@link buildClassificationQuery}. */
export interface BuildClassificationQueryOptions {
  /** @default 'demo.ecommerce.data' */
  table?: string;
  /** @default 'referralUri' */
  field?: string;
  /** @default 'url' */
  fieldKind?: 'url' | 'host';
  /** Must be the set the model was trained on. @default 'bigram' */
  featureSet?: FeatureSetName;
  /** The model's name in Devo's Model Manager. */
  modelName: string;
  /** Devo domain the model is registered in. @default 'self' */
  domain?: string;
  /** `isMalicious` is `"true"` when P(DGA) ≥ threshold. @default 0.5 */
  threshold?: number;
  /**
   * `'label'`: `group by label every -`, so each distinct label is scored once, with its event
   * count and first/last `eventdate`; `'event'`: every event is scored (for alert pipelines that
   * need the event itself). @default 'label'
   */
  scoring?: 'label' | 'event';
  /**
   * `'inline'`: the features are written inside `mlevalmodel`'s array (compact: no column per
   * feature); `'columns'`: one readable select column per feature, then the array of those
   * columns (for debugging a feature in Devo). @default 'inline'
   */
  layout?: 'inline' | 'columns';
}

function formatNumber(value: number): string {
  const text = String(value);
  if (!text.includes('e')) return text;
  return value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '.0');
}

/** Drops the spaces after commas and around `->` and `/` outside string literals (the twins put none inside). */
function compactLinq(expression: string): string {
  return expression
    .split(/("[^"]*")/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/\s*(,|->|\/)\s*/g, '$1')))
    .join('');
}

/** Joins `elements` with commas into lines of at most `width` characters, each line indented. */
function wrapList(elements: readonly string[], indent: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const element of elements) {
    const piece = line === '' ? element : `${line},${element}`;
    if (line !== '' && indent.length + piece.length + 1 > width) {
      lines.push(`${line},`);
      line = element;
    } else {
      line = piece;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((text) => indent + text).join('\n');
}

/**
 * The whole classification query, robust to what Devo leaves undocumented (see
 * docs/reference/linq-evidence.md): the host is lowercased before `rootsuffix`, rows whose label
 * the features cannot take are filtered out before `mlevalmodel` (so it never sees a null
 * feature), bigram flags use `->` rather than `split`, and by default each distinct label is
 * scored once (`group by label every -`) with its event count. The output columns are `label`,
 * `events`, `firstSeen`, `lastSeen`, `dga_probability` = `at(…, 1)` = P(DGA) (label index 1 =
 * DGA) and `isMalicious` (the string `"true"` when `dga_probability >= threshold`, else
 * `"false"`, as in Devo's tutorial). Per-event scoring gives `label`, `dga_probability` and
 * `isMalicious` next to the event's own columns.
 *
 * `mlevalmodel` runs only through Devo's APIs (not the search window), so run the query with
 * `dga query` or the Query API.
 *
 * @throws FeaturesError `ERR_FEATURES_INVALID_OPTION` for a bad table, field, model name, domain, threshold, scoring or layout.
 * @example
 * buildClassificationQuery({ modelName: 'dga_classifier_tutorial', featureSet: 'tutorial' });
 * // 'from demo.ecommerce.data\n  select split(rootsuffix(lower(…)), ".", 0) as label\n  where …\n  group by label every -\n  select count() as events, …'
 */
export function buildClassificationQuery(options: BuildClassificationQueryOptions): string {
  const table = options.table ?? 'demo.ecommerce.data';
  const domain = options.domain ?? 'self';
  const threshold = options.threshold ?? 0.5;
  const scoring = options.scoring ?? 'label';
  const layout = options.layout ?? 'inline';
  if (!tablePattern.test(table)) throw invalidOption('table', table, 'use a dotted Devo table name such as demo.ecommerce.data.');
  if (typeof options.modelName !== 'string' || !stringValuePattern.test(options.modelName)) {
    throw invalidOption('modelName', options.modelName, 'use the non-empty name the model was registered under, without quotes or backslashes.');
  }
  if (!stringValuePattern.test(domain)) throw invalidOption('domain', domain, "use 'self' or a Devo domain name, without quotes.");
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw invalidOption('threshold', threshold, 'use a probability between 0 and 1, such as 0.5.');
  }
  if (scoring !== 'label' && scoring !== 'event') throw invalidOption('scoring', scoring, "use 'label' (one row per distinct label) or 'event'.");
  if (layout !== 'inline' && layout !== 'columns') throw invalidOption('layout', layout, "use 'inline' (compact) or 'columns' (one column per feature).");
  const set = getFeatureSet(options.featureSet ?? DEFAULT_FEATURE_SET);
  const features = linqFeatureItems({ field: options.field ?? 'referralUri', fieldKind: options.fieldKind ?? 'url', featureSet: set.name });
  const [labelItem] = features.items;
  const lines = [
    `from ${table}`,
    `  select ${labelItem}`,
    `  where ${features.labelConditions.join(',\n    ')}`,
    `  where ${features.labelShapeConditions.join(',\n    ')}`,
  ];
  const scores: string[] = [];
  if (scoring === 'label') {
    lines.push(`  group by ${LINQ_LABEL_COLUMN} every -`);
    scores.push('count() as events', 'min(eventdate) as firstSeen', 'max(eventdate) as lastSeen');
  }
  const model = `mlevalmodel("${domain}", "${options.modelName}", [`;
  let array: string;
  if (layout === 'columns') {
    scores.push(...features.items.slice(1));
    array = `${model}${features.featureColumns.map((column) => `float4(${column})`).join(', ')}])`;
  } else {
    scores.push(...linqConstantItems(set.features));
    const inputs = set.features.map((feature) => compactLinq(`float4(${feature.linq(LINQ_LABEL_COLUMN)})`));
    array = `${model}\n${wrapList(inputs, '      ')}\n    ])`;
  }
  scores.push(
    `at(${array}, 1) as ${probabilityColumn}`,
    `ifthenelse(${probabilityColumn} >= ${formatNumber(threshold)}, "true", "false") as ${maliciousColumn}`,
  );
  lines.push(`  select ${scores.join(',\n    ')}`);
  return lines.join('\n');
}
