import { buildClassificationQuery, type BuildClassificationQueryOptions, type FeatureSetName } from '@dga/features';

/** The flags `dga linq` and `dga query` share to describe the classification query (table, field and kind have defaults). */
export interface ClassificationQueryFlags {
  table: string;
  field: string;
  'field-kind': NonNullable<BuildClassificationQueryOptions['fieldKind']>;
  name?: string | undefined;
  domain?: string | undefined;
}

/**
 * The corrected classification query for a model trained on `featureSet`: the model name
 * defaults to `dga_classifier_<feature set>` (what `dga train` registers), the Devo domain to
 * `DEVO_DOMAIN`, else `self`.
 */
export function classificationQueryOf(flags: ClassificationQueryFlags, featureSet: FeatureSetName, threshold: number, env: Readonly<Record<string, string | undefined>>): string {
  return buildClassificationQuery({
    table: flags.table,
    field: flags.field,
    fieldKind: flags['field-kind'],
    featureSet,
    modelName: flags.name ?? `dga_classifier_${featureSet}`,
    domain: flags.domain ?? env['DEVO_DOMAIN'] ?? 'self',
    threshold,
  });
}
