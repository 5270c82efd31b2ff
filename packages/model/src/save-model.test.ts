import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getFeatureSet } from '@dga/features';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeMetrics } from './compute-metrics';
import { createModel } from './create-model';
import { ModelAbortError } from './errors';
import { loadModel } from './load-model';
import type { ModelCard } from './model-card';
import { saveModel } from './save-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'dga-model-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function card(): ModelCard {
  return {
    schemaVersion: 1,
    preset: 'tutorial',
    seed: 42,
    featureSet: { name: 'tutorial', version: 1, features: ['length', 'entropy', 'vowel_proportion'] },
    labels: { '0': 'legit', '1': 'dga' },
    lengthEncoding: null,
    normalization: null,
    training: { epochs: 10, epochsRun: 10, bestEpoch: 10, batchSize: 7, learningRate: 0.001, stoppedEarly: false, seconds: 1.5, msPerStep: 2, dataMode: 'memory' },
    data: { sha256: 'ab'.repeat(32), rows: 4, split: { train: { legit: 1, dga: 1 }, validation: { legit: 0, dga: 0 }, test: { legit: 1, dga: 1 } } },
    metrics: computeMetrics({ scores: [0.9, 0.1], labels: [1, 0], families: ['zeus', 'legit'] }),
    backend: 'cpu',
    packages: { '@tensorflow/tfjs': tf.version.tfjs, '@dga/model': '0.0.0-source' },
    warnings: [],
  };
}

const input = tf.tensor2d([
  [12, 3.1, 0.25],
  [6, 1.9, 0.5],
  [30, 4.2, 0.1],
]);

describe('saveModel and loadModel', () => {
  it('round-trips the model (same predictions) and the card, writing exactly three files', async () => {
    const model = createModel({ preset: 'tutorial', featureSet: 'tutorial', seed: 3 });
    await saveModel(model, directory, card());
    expect((await readdir(directory)).sort()).toEqual(['model-card.json', 'model.json', 'weights.bin']);
    const loaded = await loadModel(directory);
    expect(loaded.card).toEqual(card());
    const expected = (model.predict(input) as tf.Tensor).dataSync();
    const actual = (loaded.model.predict(input) as tf.Tensor).dataSync();
    expect(Array.from(actual)).toEqual(Array.from(expected));
    expect(loaded.model.layers.map((layer) => layer.getClassName())).toEqual(model.layers.map((layer) => layer.getClassName()));
    model.dispose();
    loaded.model.dispose();
  });

  it('round-trips the default preset with its LengthEncoding layer (registered on import)', async () => {
    const model = createModel({ preset: 'default', featureSet: 'tutorial', seed: 3 });
    const defaultCard: ModelCard = { ...card(), preset: 'default', lengthEncoding: { feature: 'length', maxLength: 40 } };
    await saveModel(model, directory, defaultCard);
    const modelJson = JSON.parse(await readFile(join(directory, 'model.json'), 'utf8')) as { modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } } };
    const [first] = modelJson.modelTopology.config.layers;
    expect(first).toMatchObject({ class_name: 'LengthEncoding', config: { name: 'length_encoding', length_index: 0, thresholds: 39 } });
    const loaded = await loadModel(directory);
    expect(loaded.card.lengthEncoding).toEqual({ feature: 'length', maxLength: 40 });
    expect(loaded.model.layers.map((layer) => layer.getClassName())).toEqual(['LengthEncoding', 'Dense', 'Dense', 'Dense']);
    const expected = (model.predict(input) as tf.Tensor).dataSync();
    const actual = (loaded.model.predict(input) as tf.Tensor).dataSync();
    expect(Array.from(actual)).toEqual(Array.from(expected));
    model.dispose();
    loaded.model.dispose();
  });

  it('round-trips the char preset\'s two-branch graph with its weightless layers (registered on import)', async () => {
    const model = createModel({ preset: 'char', featureSet: 'char', seed: 3 });
    const charSet = getFeatureSet('char');
    await saveModel(model, directory, { ...card(), preset: 'char', featureSet: { name: 'char', version: charSet.version, features: [...charSet.featureNames] } });
    const loaded = await loadModel(directory);
    expect(loaded.model.layers.map((layer) => layer.getClassName())).toEqual(model.layers.map((layer) => layer.getClassName()));
    expect(loaded.model.layers.map((layer) => layer.getClassName())).toEqual(expect.arrayContaining(['CharacterWindows', 'DropColumns', 'PositionMax', 'Concatenate']));
    const rows = tf.tensor2d(Array.from({ length: 3 * 266 }, (_, index) => (index % 266 < 242 ? (index % 13) / 13 : index % 38)), [3, 266]);
    const expected = (model.predict(rows) as tf.Tensor).dataSync();
    const actual = (loaded.model.predict(rows) as tf.Tensor).dataSync();
    expect(Array.from(actual)).toEqual(Array.from(expected));
    model.dispose();
    loaded.model.dispose();
  });

  it('writes the standard tfjs layers format (readable by tf.loadLayersModel through fromMemory)', async () => {
    const model = createModel({ preset: 'default', featureSet: 'extended' });
    await saveModel(model, directory, card());
    const modelJson = JSON.parse(await readFile(join(directory, 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest).toHaveLength(1);
    expect(modelJson.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const weightBytes = (await readFile(join(directory, 'weights.bin'))).byteLength;
    const expectedBytes = model.getWeights().reduce((total, tensor) => total + tensor.size * 4, 0);
    expect(weightBytes).toBe(expectedBytes);
    model.dispose();
  });

  it('writes byte-identical files for the same model and card, with sorted JSON keys', async () => {
    const model = createModel({ preset: 'tutorial', featureSet: 'tutorial', seed: 9 });
    await saveModel(model, directory, card());
    const first = await Promise.all(['model.json', 'weights.bin', 'model-card.json'].map((name) => readFile(join(directory, name))));
    await saveModel(model, directory, card());
    const second = await Promise.all(['model.json', 'weights.bin', 'model-card.json'].map((name) => readFile(join(directory, name))));
    expect(second).toEqual(first);
    const cardJson = first[2]!.toString('utf8');
    const keys = Object.keys(JSON.parse(cardJson) as object);
    expect(keys).toEqual([...keys].sort());
    expect(cardJson.endsWith('}\n')).toBe(true);
    model.dispose();
  });

  it('leaves no files when aborted', async () => {
    const model = createModel({ preset: 'tutorial', featureSet: 'tutorial' });
    const controller = new AbortController();
    controller.abort();
    const target = join(directory, 'run');
    await expect(saveModel(model, target, card(), { signal: controller.signal })).rejects.toBeInstanceOf(ModelAbortError);
    expect(await readdir(directory)).toEqual([]);
    model.dispose();
  });

  it('rejects a card that would need NaN in JSON', async () => {
    const model = createModel({ preset: 'tutorial', featureSet: 'tutorial' });
    const broken = { ...card(), training: { ...card().training, seconds: Number.NaN } };
    await expect(saveModel(model, directory, broken)).rejects.toMatchObject({ code: 'ERR_MODEL_SAVE_FAILED' });
    expect(await readdir(directory)).toEqual([]);
    model.dispose();
  });

  it('fails with ERR_MODEL_LOAD_FAILED for a missing directory, broken JSON and a mismatched card', async () => {
    await expect(loadModel(join(directory, 'nope'))).rejects.toMatchObject({ code: 'ERR_MODEL_LOAD_FAILED' });
    const model = createModel({ preset: 'tutorial', featureSet: 'tutorial' });
    await saveModel(model, directory, card());
    const wrongCard = { ...card(), featureSet: { name: 'extended', version: 1, features: Array.from({ length: 42 }, (_, index) => `f${index}`) } };
    await writeFile(join(directory, 'model-card.json'), JSON.stringify(wrongCard));
    await expect(loadModel(directory)).rejects.toMatchObject({ code: 'ERR_MODEL_LOAD_FAILED' });
    await writeFile(join(directory, 'model.json'), '{ not json');
    await writeFile(join(directory, 'model-card.json'), JSON.stringify(card()));
    await expect(loadModel(directory)).rejects.toThrow(/model\.json is not valid JSON/);
    model.dispose();
  });
});
