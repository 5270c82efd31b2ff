import type * as tf from '@tensorflow/tfjs';
import { computeMetrics, type Metrics } from './compute-metrics';
import { ModelError, throwIfAborted } from './errors';
import { predictRows } from './internal/predict-rows';
import type { ScoredRows, TrainingExample } from './train-model';

/** Options of {@link evaluateModel} and {@link scoreExamples}. */
export interface EvaluateModelOptions {
  /** Rows per model call. @default 4096 */
  batchSize?: number;
  /** Decision threshold on P(DGA). @default 0.5 */
  threshold?: number;
  signal?: AbortSignal;
}

/**
 * Scores labelled examples with a model (P(DGA) = `output[:, 1]`), streaming them in batches.
 * Keeps one float, one byte and one family reference per row (needed for ROC AUC).
 *
 * @example
 * const scored = await scoreExamples(model, streamTrainingExamples(readDataset('other.csv'), 'extended'));
 */
export async function scoreExamples(model: tf.LayersModel, examples: AsyncIterable<TrainingExample> | Iterable<TrainingExample>, options?: EvaluateModelOptions): Promise<ScoredRows> {
  const batchSize = options?.batchSize ?? 4096;
  const size = model.inputs[0]?.shape[1];
  if (typeof size !== 'number') {
    throw new ModelError('ERR_MODEL_INVALID_OPTION', 'scoreExamples: the model has no fixed input width; pass a model built by createModel or loaded by loadModel.');
  }
  const scores: number[] = [];
  const labels: number[] = [];
  const families: string[] = [];
  const x = new Float32Array(batchSize * size);
  let count = 0;
  const flush = (): void => {
    const output = predictRows(model, x, count, size);
    for (let row = 0; row < count; row += 1) scores.push(output[row * 2 + 1]!);
    count = 0;
  };
  for await (const example of examples) {
    if (example.features.length !== size) {
      throw new ModelError('ERR_MODEL_INVALID_EXAMPLE', `scoreExamples: row ${labels.length} (key "${example.key.slice(0, 80)}") has ${example.features.length} features but the model takes ${size}; featurize with the model's feature set (see its model card).`);
    }
    x.set(example.features, count * size);
    labels.push(example.label);
    families.push(example.subclass);
    count += 1;
    if (count === batchSize) {
      flush();
      throwIfAborted(options?.signal, 'scoreExamples');
    }
  }
  if (count > 0) flush();
  return { scores: Float32Array.from(scores), labels: Uint8Array.from(labels), families };
}

/**
 * Scores any labelled stream (e.g. another CSV) and computes its {@link Metrics}.
 *
 * @example
 * const { model, card } = await loadModel('runs/latest/tfjs');
 * const metrics = await evaluateModel(model, streamTrainingExamples(readDataset('holdout.csv'), card.featureSet.name));
 */
export async function evaluateModel(model: tf.LayersModel, examples: AsyncIterable<TrainingExample> | Iterable<TrainingExample>, options?: EvaluateModelOptions): Promise<Metrics> {
  const scored = await scoreExamples(model, examples, options);
  return computeMetrics({ ...scored, ...(options?.threshold === undefined ? {} : { threshold: options.threshold }) });
}
