import { getFeatureSet, type FeatureSetName } from '@dga/features';
import type { TrainingExample } from './train-model';

/** The fields of a labelled dataset row that training needs (a `@dga/dataset` `DatasetRow` fits). */
export interface LabelledRow {
  /** The registrable label, e.g. `google` for `www.google.com`. */
  domain: string;
  malicious: boolean;
  /** `legit` or the DGA family. */
  subclass: string;
}

/**
 * Featurizes labelled rows into {@link TrainingExample}s, one small Float32Array per row, lazily
 * (pull-based, constant memory).
 *
 * @example
 * const examples = () => streamTrainingExamples(readDataset('dga-training.csv'), 'extended');
 * await trainModel({ preset: 'default', featureSet: 'extended', examples });
 */
export async function* streamTrainingExamples(
  rows: AsyncIterable<LabelledRow> | Iterable<LabelledRow>,
  featureSet: FeatureSetName,
): AsyncGenerator<TrainingExample> {
  const set = getFeatureSet(featureSet);
  for await (const row of rows) {
    const features = new Float32Array(set.size);
    set.compute(row.domain, features);
    yield { features, label: row.malicious ? 1 : 0, subclass: row.subclass, key: row.domain };
  }
}
