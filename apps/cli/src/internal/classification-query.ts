import { buildClassificationQuery, isFeaturesError, type BuildClassificationQueryOptions, type FeatureSetName } from '@dga/features';
import { UsageError } from '../exit-error';

/** The flags `dga linq` and `dga query` share to describe the classification query (table, field and kind have defaults). */
export interface ClassificationQueryFlags {
  table: string;
  field: string;
  'field-kind': NonNullable<BuildClassificationQueryOptions['fieldKind']>;
  name?: string | undefined;
  domain?: string | undefined;
  /** `--per-event`: score every event instead of each distinct label once. */
  'per-event'?: boolean | undefined;
  /** `--feature-columns`: one readable column per feature (for debugging). */
  'feature-columns'?: boolean | undefined;
}

/** The citty definitions of the flags that shape the classification query, shared by `dga linq` and `dga query`. */
export const classificationQueryArgs = {
  'per-event': { type: 'boolean', description: 'Score every event (for alert pipelines) instead of each distinct label once' },
  'feature-columns': { type: 'boolean', description: 'One readable column per feature instead of the compact inline array (for debugging)' },
} as const;

/**
 * The corrected classification query for a model trained on `featureSet`: the model name
 * defaults to `dga_classifier_<feature set>` (what `dga train` registers), the Devo domain to
 * `DEVO_DOMAIN`, else `self`. By default each distinct label is scored once with the features
 * inline in `mlevalmodel`'s array; `--per-event` and `--feature-columns` change that.
 */
export function classificationQueryOf(flags: ClassificationQueryFlags, featureSet: FeatureSetName, threshold: number, env: Readonly<Record<string, string | undefined>>): string {
  try {
    return buildClassificationQuery({
      table: flags.table,
      field: flags.field,
      fieldKind: flags['field-kind'],
      featureSet,
      modelName: flags.name ?? `dga_classifier_${featureSet}`,
      domain: flags.domain ?? env['DEVO_DOMAIN'] ?? 'self',
      threshold,
      scoring: flags['per-event'] === true ? 'event' : 'label',
      layout: flags['feature-columns'] === true ? 'columns' : 'inline',
    });
  } catch (error) {
    const setting = isFeaturesError(error) && error.code === 'ERR_FEATURES_INVALID_OPTION' ? settingOf(error.option, flags) : undefined;
    if (setting === undefined) throw error;
    // The library's message names its option (`modelName`); the user typed a flag: a usage error.
    throw new UsageError(`${setting}: ${(error as Error).message}`, { cause: error });
  }
}

/** The flag (or environment variable) that gave the query option `option`. */
function settingOf(option: string | undefined, flags: ClassificationQueryFlags): string | undefined {
  switch (option) {
    case 'table':
      return '--table';
    case 'field':
      return '--field';
    case 'modelName':
      return '--name';
    case 'domain':
      return flags.domain === undefined ? 'DEVO_DOMAIN' : '--domain';
    default:
      return undefined;
  }
}
