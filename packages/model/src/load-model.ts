import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors';
import { MODEL_CARD_SCHEMA_VERSION, type ModelCard } from './model-card';
import { MODEL_FILES } from './save-model';

/** What {@link loadModel} returns. The caller owns `model` and must `dispose()` it. */
export interface LoadedModel {
  model: tf.LayersModel;
  card: ModelCard;
}

async function readOrFail(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new ModelError('ERR_MODEL_LOAD_FAILED', `loadModel: cannot read ${file} (${(error as Error).message}); pass a directory written by saveModel.`, { cause: error, path: file });
  }
}

function parseJson(file: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ModelError('ERR_MODEL_LOAD_FAILED', `loadModel: ${file} is not valid JSON (${(error as Error).message}); re-save the model.`, { cause: error, path: file });
  }
}

/**
 * Loads a model saved by {@link saveModel} (any backend; no `file://` handler needed) and checks
 * it against its card: schema version, and an input width equal to the number of features.
 *
 * @example
 * const { model, card } = await loadModel('runs/latest/tfjs');
 * card.featureSet.features; // ['length', 'entropy', 'vowel_proportion', ...]
 */
export async function loadModel(directory: string): Promise<LoadedModel> {
  const cardFile = join(directory, MODEL_FILES.card);
  const modelFile = join(directory, MODEL_FILES.modelJson);
  const weightsFile = join(directory, MODEL_FILES.weights);
  const card = parseJson(cardFile, await readOrFail(cardFile)) as ModelCard;
  if (card === null || typeof card !== 'object' || card.schemaVersion !== MODEL_CARD_SCHEMA_VERSION || !Array.isArray(card.featureSet?.features)) {
    throw new ModelError('ERR_MODEL_LOAD_FAILED', `loadModel: ${cardFile} is not a model card of schema version ${MODEL_CARD_SCHEMA_VERSION}; re-train or re-save with this version of @dga/model.`, { path: cardFile });
  }
  const modelJson = parseJson(modelFile, await readOrFail(modelFile)) as tf.io.ModelJSON;
  const manifest = modelJson.weightsManifest?.[0];
  if (modelJson.modelTopology === undefined || manifest === undefined || modelJson.weightsManifest.length !== 1 || manifest.paths.length !== 1 || manifest.paths[0] !== MODEL_FILES.weights) {
    throw new ModelError('ERR_MODEL_LOAD_FAILED', `loadModel: ${modelFile} is not a single-shard tfjs layers model written by saveModel; re-save it with saveModel.`, { path: modelFile });
  }
  const weights = await readOrFail(weightsFile);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: manifest.weights, weightData }),
    );
  } catch (error) {
    throw new ModelError('ERR_MODEL_LOAD_FAILED', `loadModel: tfjs could not rebuild the model in ${directory} (${(error as Error).message}); the files may be corrupt or from an incompatible tfjs version.`, { cause: error, path: directory });
  }
  const inputWidth = model.inputs[0]?.shape[1];
  if (inputWidth !== card.featureSet.features.length) {
    model.dispose();
    throw new ModelError('ERR_MODEL_LOAD_FAILED', `loadModel: the model in ${directory} takes ${String(inputWidth)} inputs but its card lists ${card.featureSet.features.length} features; the card belongs to another model.`, { path: cardFile });
  }
  return { model, card };
}
