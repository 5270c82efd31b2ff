import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelError, throwIfAborted } from './errors';
import type { ModelCard } from './model-card';
import { stableStringify } from './internal/stable-json';

/** File names inside a saved model directory. */
export const MODEL_FILES: { readonly modelJson: 'model.json'; readonly weights: 'weights.bin'; readonly card: 'model-card.json' } = {
  modelJson: 'model.json',
  weights: 'weights.bin',
  card: 'model-card.json',
};

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /** Aborts before anything is renamed into place; temp files are removed. */
  signal?: AbortSignal;
}

let temporaryCounter = 0;

/**
 * Saves `model` in the tfjs layers format (`model.json` + `weights.bin`, loadable by
 * `tf.loadLayersModel`) and `card` as `model-card.json` into `directory` (created if missing).
 * Works on any backend (no `file://` handler needed). Every file is first written to a temp file
 * in the same directory, then renamed; `model-card.json` is renamed last, so a directory with a
 * card is complete. JSON keys are sorted, so equal inputs give equal bytes.
 *
 * @example
 * await saveModel(result.model, 'runs/latest/tfjs', createModelCard(result));
 */
export async function saveModel(model: tf.LayersModel, directory: string, card: ModelCard, options?: SaveModelOptions): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((captured) => {
      artifacts = captured;
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(captured) });
    }),
  );
  if (artifacts?.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new ModelError('ERR_MODEL_SAVE_FAILED', `saveModel: tfjs produced no weights for model "${model.name}"; only LayersModels with weights can be saved.`, { path: directory });
  }
  const weightData = new tf.io.CompositeArrayBuffer(artifacts.weightData).slice();
  const modelJson = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs }],
  };
  let cardText: string;
  try {
    cardText = stableStringify(card);
  } catch (error) {
    throw new ModelError('ERR_MODEL_SAVE_FAILED', `saveModel: the model card cannot be written as JSON (${(error as Error).message}).`, { cause: error, path: directory });
  }
  const contents: [string, string | Uint8Array][] = [
    [MODEL_FILES.weights, new Uint8Array(weightData)],
    [MODEL_FILES.modelJson, stableStringify(modelJson)],
    [MODEL_FILES.card, cardText],
  ];
  const temporaries: [string, string][] = [];
  try {
    throwIfAborted(options?.signal, 'saveModel');
    await mkdir(directory, { recursive: true });
    for (const [name, data] of contents) {
      temporaryCounter += 1;
      const temporary = join(directory, `.${name}.${process.pid}.${temporaryCounter}.tmp`);
      temporaries.push([temporary, join(directory, name)]);
      await writeFile(temporary, data);
      throwIfAborted(options?.signal, 'saveModel');
    }
    while (temporaries.length > 0) {
      const [temporary, target] = temporaries[0]!;
      await rename(temporary, target);
      temporaries.shift();
    }
  } catch (error) {
    await Promise.all(temporaries.map(([temporary]) => rm(temporary, { force: true })));
    if (ModelError.isInstance(error)) throw error;
    throw new ModelError('ERR_MODEL_SAVE_FAILED', `saveModel: could not write the model into ${directory} (${(error as Error).message}); check the path and its permissions.`, { cause: error, path: directory });
  }
}
