// Cross-package golden test: train small seeded models with the real @dga/model on the shared
// sample, export them, and compare ONNX Runtime with tfjs on every row.
import { readDataset } from '@dga/dataset';
import { getFeatureSet, type FeatureSetName } from '@dga/features';
import { streamTrainingExamples, trainModel, type TrainingExample } from '@dga/model';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOnnxClassifier, exportToOnnx, readOnnxModelInfo } from '../src/index';
import { maxAbsDiff, predictTfjs, useCpuBackend } from './models';

const skip = requireSharedData('sample-small.csv');

async function loadExamples(featureSet: FeatureSetName): Promise<TrainingExample[]> {
  const examples: TrainingExample[] = [];
  for await (const example of streamTrainingExamples(readDataset(sharedDataFile('sample-small.csv')), featureSet)) {
    examples.push(example);
  }
  return examples;
}

describe.skipIf(skip)('golden: @dga/model trained on sample-small.csv → ONNX', () => {
  beforeAll(useCpuBackend);

  it.each([
    ['tutorial', 'tutorial', 1],
    ['default', 'extended', 2],
  ] as const)('%s preset on the %s features: ONNX Runtime matches tfjs on every row within 1e-5', async (preset, featureSetName, epochs) => {
    const examples = await loadExamples(featureSetName);
    expect(examples).toHaveLength(2000);
    const featureSet = getFeatureSet(featureSetName);
    const trained = await trainModel({ preset, featureSet: featureSetName, examples: () => examples, seed: 42, epochs });
    try {
      const rows = new Float32Array(examples.length * featureSet.size);
      examples.forEach((example, index) => rows.set(example.features, index * featureSet.size));
      const metadata = {
        'dga.feature_set': featureSet.name,
        'dga.feature_set_version': String(featureSet.version),
        'dga.feature_names': JSON.stringify(featureSet.features.map((feature) => feature.name)),
        'dga.feature_linq': JSON.stringify(featureSet.features.map((feature) => feature.linq('label'))),
        'dga.label_names': '["legit","dga"]',
        'dga.seed': '42',
        'dga.preset': preset,
        'dga.tfjs_backend': 'cpu',
      };
      const result = await exportToOnnx(trained.model, { metadata, parityInputs: rows });
      expect(result.parity.rows).toBeGreaterThan(2000);
      expect(result.parity.maxAbsDiff).toBeLessThanOrEqual(1e-5);

      const info = readOnnxModelInfo(result.bytes);
      expect(info).toMatchObject({ inputSize: featureSet.size, outputSize: 2, opset: 13, irVersion: 7 });
      expect(JSON.parse(info.metadata['dga.feature_names'] ?? '[]')).toHaveLength(featureSet.size);

      // Independently of exportToOnnx's own check: the classifier against tfjs predict, every row.
      const classifier = await createOnnxClassifier(result.bytes, { batchSize: 512 });
      const onnxScores = await classifier.predict(rows);
      await classifier.dispose();
      const tfjsScores = predictTfjs(trained.model, rows, featureSet.size);
      expect(maxAbsDiff(onnxScores, tfjsScores)).toBeLessThanOrEqual(1e-5);
      for (let row = 0; row < examples.length; row += 1) {
        expect((onnxScores[row * 2] ?? 0) + (onnxScores[row * 2 + 1] ?? 0)).toBeCloseTo(1, 5);
      }
    } finally {
      trained.model.dispose();
    }
  }, 120_000);
});
