import { readDataset, type DatasetSkip } from '@dga/dataset';
import type { FeatureSetName, PslMode } from '@dga/features';
import { streamTrainingExamples, type DatasetReadReport, type TrainingExample } from '@dga/model';
import type { LabelledKey } from './family-folds';
import type { TrainingConfig } from './training-config';
import type { RunTrainingOptions } from './training-types';

const FEATURE_SAMPLE_PER_CLASS = 4000;

/** The training data of a run: the examples of every pass, and what the first complete pass saw. */
export interface TrainingData {
  /** Streams the dataset's examples once per call (one call per pass over the data). */
  readonly examples: () => AsyncGenerator<TrainingExample>;
  /** The first rows of each class (feature vectors), kept by the first complete pass. */
  readonly samples: { legit: Float32Array[]; dga: Float32Array[] };
  /** Label, class and family of every row of the first complete pass (for the family-held-out folds; empty before it ends). */
  readonly labelledKeys: () => readonly LabelledKey[];
  /** Rows of the first complete pass (0 before it ends). */
  readonly rows: () => number;
  /** What reading skipped and how labels were obtained (zeros before the first complete pass ends). */
  readonly read: () => DatasetReadReport;
}

/**
 * Dataset → features. The first complete pass also keeps a small, deterministic sample (the first
 * rows of each class) for the report's distributions and the ONNX parity check, every row's
 * label, class and family (not its features) for the family-held-out folds, and records what
 * reading skipped (every pass reads the same). Labels follow the run's PSL mode (`icann`:
 * `fizrbzba.dyndns.org` → `dyndns`), as classify will compute them.
 */
export function readTrainingData(
  source: string,
  featureSetName: FeatureSetName,
  settings: { psl: PslMode; cacheDir: string; config: TrainingConfig },
  options: RunTrainingOptions,
): TrainingData {
  const { config, psl, cacheDir } = settings;
  const signal = options.signal;
  const samples = { legit: [] as Float32Array[], dga: [] as Float32Array[] };
  let sampled = false;
  let datasetRows = 0;
  let keys: LabelledKey[] = [];
  let read: DatasetReadReport = { skipped: 0, skippedByReason: {}, labelDisagreements: 0, labelsFromDomain: 0 };
  const dataset = readDataset(source, {
    psl,
    ...(signal === undefined ? {} : { signal }),
    ...(config.strict === undefined ? {} : { strict: config.strict }),
    ...(config.maxSkippedRows === undefined ? {} : { maxSkippedRows: config.maxSkippedRows }),
    cacheDir,
    onProgress: (event) => void options.onEvent?.({ type: 'dataset-progress', bytes: event.bytes, totalBytes: event.totalBytes }),
    onSkip: (skip: DatasetSkip) => void options.onEvent?.({ type: 'dataset-skip', line: skip.line, reason: skip.reason }),
    onCache: (event) => void options.onEvent?.({ type: 'dataset-cache', status: event.status, file: event.file }),
  });
  async function* examples(): AsyncGenerator<TrainingExample> {
    const collect = !sampled;
    let rows = 0;
    const seen: LabelledKey[] = [];
    for await (const example of streamTrainingExamples(dataset, featureSetName)) {
      rows += 1;
      if (collect) {
        seen.push({ key: example.key, label: example.label, subclass: example.subclass });
        const bucket = example.label === 1 ? samples.dga : samples.legit;
        if (bucket.length < FEATURE_SAMPLE_PER_CLASS) bucket.push(example.features);
      }
      yield example;
    }
    if (collect) {
      sampled = true;
      datasetRows = rows;
      keys = seen;
      const stats = dataset.stats;
      read = { skipped: stats.skipped, skippedByReason: { ...stats.skippedByCode }, labelDisagreements: stats.labelDisagreements, labelsFromDomain: stats.labelsFromDomain };
    }
  }
  return { examples, samples, labelledKeys: () => keys, rows: () => datasetRows, read: () => read };
}
