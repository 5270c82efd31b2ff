export { VERSION } from './version';
export { FeaturesError, isFeaturesError, quoteInput } from './features-error';
export type { FeaturesErrorCode } from './features-error';
export type { FeatureDefinition } from './feature-definitions';
export { getFeatureSet, featureSetNames, DEFAULT_FEATURE_SET } from './feature-set';
export type { FeatureSet, FeatureSetName } from './feature-set';
export { extractLabel, isIdnLabel, tryExtractLabel, tryNormalizeLabel, whyNoLabel } from './extract-label';
export type { ExtractLabelOptions, PslMode } from './extract-label';
export { featurizeDomain, featurizeLabels, featurizeDomains } from './featurize-domain';
export type {
  FeaturizeOptions,
  FeaturizedDomain,
  FeaturizeLabelsOptions,
  FeaturizeDomainsOptions,
} from './featurize-domain';
export { linqFeatureItems, linqConstantItems, buildClassificationQuery, LINQ_LABEL_COLUMN } from './linq';
export type { LinqFeatureItemsOptions, LinqFeatureItems, BuildClassificationQueryOptions } from './linq';
export { createSeededRandom } from './seeded-random';
export type { SeededRandom } from './seeded-random';
