import { buildClassificationQuery, isFeaturesError, type FeatureSetName } from '@dga/features';
import { TrainingConfigError, type TrainingConfig } from './training-config';

/** The config key that gave each option of `buildClassificationQuery` a run passes on. */
function configKeyOf(option: string | undefined, config: Pick<TrainingConfig, 'register'>): string | undefined {
  switch (option) {
    case 'table':
    case 'field':
    case 'domain':
      return `query.${option}`;
    case 'modelName':
      return config.register === undefined ? 'query.modelName' : 'register.name';
    default:
      return undefined;
  }
}

/** The name the model is registered under (or the query calls it): `register.name`, else `query.modelName`, else `dga_classifier_<feature set>`. */
export function trainingModelName(config: Pick<TrainingConfig, 'register' | 'query'>, featureSet: FeatureSetName): string {
  return config.register?.name ?? config.query?.modelName ?? `dga_classifier_${featureSet}`;
}

/**
 * The Devo classification query of a run (`config.query` and the model name), at `threshold`.
 * Called once before any work with a placeholder threshold, so that a table, field, domain or
 * model name the query cannot hold fails at once, not after the training.
 *
 * @throws TrainingConfigError naming the config key (`query.table`, `register.name`…) and the fix.
 */
export function buildTrainingQuery(config: Pick<TrainingConfig, 'register' | 'query'>, featureSet: FeatureSetName, threshold: number): string {
  const query = config.query;
  try {
    return buildClassificationQuery({
      modelName: trainingModelName(config, featureSet),
      featureSet,
      threshold,
      ...(query?.table === undefined ? {} : { table: query.table }),
      ...(query?.field === undefined ? {} : { field: query.field }),
      ...(query?.fieldKind === undefined ? {} : { fieldKind: query.fieldKind }),
      ...(query?.domain === undefined ? {} : { domain: query.domain }),
    });
  } catch (error) {
    const key = isFeaturesError(error) && error.code === 'ERR_FEATURES_INVALID_OPTION' ? configKeyOf(error.option, config) : undefined;
    if (key === undefined) throw error;
    throw new TrainingConfigError(`"${key}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
