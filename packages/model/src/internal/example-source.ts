import { ModelError, throwIfAborted } from '../errors';
import type { TrainingExample } from '../train-model';
import type { SplitName, Splitter } from './split';

/** Where `trainModel` reads its examples from, and how it checks and assigns them. */
export interface ExampleSource {
  /** Returns a fresh stream of all labelled rows. */
  readonly examples: () => AsyncIterable<TrainingExample> | Iterable<TrainingExample>;
  readonly splitter: Splitter;
  /** Features per example (the feature set's size). */
  readonly size: number;
  readonly featureSetName: string;
  readonly signal: AbortSignal | undefined;
  /** Gives the event loop a turn now and then (see `createYielder`). */
  readonly maybeYield: () => Promise<void>;
}

/** One raw row of a split, as re-read from the examples. */
export interface SplitRow {
  features: Float32Array;
  label: number;
  family: string;
}

/** Iterates a sync or async iterable as an async one. */
export async function* iterateExamples<T>(source: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  yield* source;
}

/** Throws `ERR_MODEL_INVALID_EXAMPLE` unless `example` has `size` features and a 0/1 label. */
export function checkExample(example: TrainingExample, size: number, row: number, featureSetName: string): void {
  if (example.features?.length !== size) {
    throw new ModelError('ERR_MODEL_INVALID_EXAMPLE', `trainModel: example ${row} (key "${String(example.key).slice(0, 80)}") has ${example.features?.length} features, but feature set "${featureSetName}" has ${size}; featurize with the same feature set you pass to trainModel.`);
  }
  if (example.label !== 0 && example.label !== 1) {
    throw new ModelError('ERR_MODEL_INVALID_EXAMPLE', `trainModel: example ${row} (key "${String(example.key).slice(0, 80)}") has label ${String(example.label)}; labels must be 0 (legit) or 1 (DGA).`);
  }
}

/** The raw feature rows of one split, re-read from `examples()`. */
export async function* streamSplit(source: ExampleSource, wanted: SplitName): AsyncGenerator<SplitRow> {
  let count = 0;
  for await (const example of iterateExamples(source.examples())) {
    count += 1;
    if ((count & 1023) === 0) {
      throwIfAborted(source.signal, 'trainModel');
      await source.maybeYield();
    }
    if (source.splitter.assign(example) !== wanted) continue;
    checkExample(example, source.size, count - 1, source.featureSetName);
    yield { features: example.features, label: example.label, family: example.subclass };
  }
}
