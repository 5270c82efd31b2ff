import { FeaturesError, quoteInput } from './features-error';
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
  /** For `fieldKind: 'url'`, the intermediate column holding the host (`dga_host`). */
  hostColumn?: string;
}

/**
 * The column holding the label in the generated LINQ (`label`); feature expressions in model
 * metadata (`dga.feature_linq`) are written over it.
 *
 * @example
 * getFeatureSet('tutorial').features.map((feature) => feature.linq(LINQ_LABEL_COLUMN));
 */
export const LINQ_LABEL_COLUMN = 'label';
const hostColumn = 'dga_host';
const probabilityColumn = 'dga_probability';
const maliciousColumn = 'isMalicious';

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const tablePattern = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const stringValuePattern = /^[^"'\\\r\n]+$/;

function invalidOption(name: string, value: unknown, fix: string): FeaturesError {
  return new FeaturesError('ERR_FEATURES_INVALID_OPTION', `Invalid ${name} ${quoteInput(String(value))}: ${fix}`, {
    input: String(value),
  });
}

/** The LINQ expression of the host, for each field kind. */
function hostExpression(field: string, fieldKind: 'url' | 'host'): string | undefined {
  if (fieldKind === 'host') return undefined;
  // `split(u, "/", 2)` is the host part of `scheme://host/...` (the tutorial's idiom, [C]);
  // the outer `split(…, ":", 0)` drops a `:port` (split is [C]).
  return `split(split(${field}, "/", 2), ":", 0)`;
}

/**
 * The LINQ `select` items that compute, inside Devo, exactly the features training computed:
 * first the label (the registrable label without public suffix, as `extractLabel` gives), then
 * each feature of the set from that label, in the model's input order.
 *
 * The label is `split(rootsuffix(host), ".", 0)`: `rootsuffix` (registered domain incl. suffix,
 * `www.bbc.co.uk` → `bbc.co.uk`) is documented only by a third-party catalogue of Devo's
 * functions ([3P]/[I] in refs/linq-functions.md); `split` is confirmed. `rootdomain` would give
 * the label directly but its output is unconfirmed ([?]), so it is not used. Features use only
 * `length`, `shannonentropy`, `countbyfilter` and `float` with float division.
 *
 * @throws FeaturesError `ERR_FEATURES_INVALID_OPTION` for a field that is not a plain identifier.
 * @example
 * linqFeatureItems({ field: 'referralUri', fieldKind: 'url', featureSet: 'tutorial' }).items;
 * // ['split(split(referralUri, "/", 2), ":", 0) as dga_host',
 * //  'split(rootsuffix(dga_host), ".", 0) as label',
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
  const items: string[] = [];
  const host = hostExpression(field, fieldKind);
  let hostReference = field;
  if (host !== undefined) {
    items.push(`${host} as ${hostColumn}`);
    hostReference = hostColumn;
  }
  items.push(`split(rootsuffix(${hostReference}), ".", 0) as ${LINQ_LABEL_COLUMN}`);
  for (const feature of set.features) items.push(`${feature.linq(LINQ_LABEL_COLUMN)} as ${feature.column}`);
  const result: LinqFeatureItems = {
    items,
    featureColumns: set.features.map((feature) => feature.column),
    labelColumn: LINQ_LABEL_COLUMN,
  };
  if (host !== undefined) result.hostColumn = hostColumn;
  return result;
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
}

function formatNumber(value: number): string {
  const text = String(value);
  if (!text.includes('e')) return text;
  return value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '.0');
}

/**
 * The whole classification query, with the tutorial's bugs fixed: the label (not the full host)
 * is featurized, `vowel_proportion` is a proportion, and every feature reaches `mlevalmodel`, as
 * `float4`, in the model's order. `dga_probability` = `at(…, 1)` = P(DGA) (label index 1 = DGA);
 * `isMalicious` is the string `"true"` or `"false"` (as in the tutorial, where it is a string
 * column), `"true"` when `dga_probability >= threshold`.
 *
 * @throws FeaturesError `ERR_FEATURES_INVALID_OPTION` for a bad table, field, model name, domain or threshold.
 * @example
 * buildClassificationQuery({ modelName: 'dga_extended', featureSet: 'extended' });
 * // 'from demo.ecommerce.data\n  select split(split(referralUri, "/", 2), ":", 0) as dga_host, ...'
 */
export function buildClassificationQuery(options: BuildClassificationQueryOptions): string {
  const table = options.table ?? 'demo.ecommerce.data';
  const domain = options.domain ?? 'self';
  const threshold = options.threshold ?? 0.5;
  if (!tablePattern.test(table)) throw invalidOption('table', table, 'use a dotted Devo table name such as demo.ecommerce.data.');
  if (typeof options.modelName !== 'string' || !stringValuePattern.test(options.modelName)) {
    throw invalidOption('modelName', options.modelName, 'use the non-empty name the model was registered under, without quotes or backslashes.');
  }
  if (!stringValuePattern.test(domain)) throw invalidOption('domain', domain, "use 'self' or a Devo domain name, without quotes.");
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw invalidOption('threshold', threshold, 'use a probability between 0 and 1, such as 0.5.');
  }
  const features = linqFeatureItems({
    field: options.field ?? 'referralUri',
    fieldKind: options.fieldKind ?? 'url',
    featureSet: options.featureSet ?? DEFAULT_FEATURE_SET,
  });
  const inputs = features.featureColumns.map((column) => `float4(${column})`).join(', ');
  const items = [
    ...features.items,
    `at(mlevalmodel("${domain}", "${options.modelName}", [${inputs}]), 1) as ${probabilityColumn}`,
    `ifthenelse(${probabilityColumn} >= ${formatNumber(threshold)}, "true", "false") as ${maliciousColumn}`,
  ];
  return `from ${table}\n  select ${items.join(',\n    ')}`;
}
