import { getFeatureSet, type FeatureSetName } from '@dga/features';
import type { TrainingExample } from './train-model';

/** The fields of a labelled dataset row that training needs (a `@dga/dataset` `DatasetRow` fits). */
export interface LabelledRow {
  /**
   * The label to featurize, as `extractLabel` from `@dga/features` returns it (lowercase ASCII,
   * punycode, at most 63 characters): `google` for `www.google.com`. `@dga/dataset` computes it
   * from the host, exactly as classification does; featurized as it is here.
   */
  label: string;
  malicious: boolean;
  /** `legit` or the DGA family. */
  subclass: string;
}

/**
 * Featurizes labelled rows into {@link TrainingExample}s, one small Float32Array per row, lazily
 * (pull-based, constant memory). The example's `key` is the row's label.
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
    set.compute(row.label, features);
    yield { features, label: row.malicious ? 1 : 0, subclass: row.subclass, key: row.label };
  }
}
