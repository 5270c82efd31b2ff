import { describe, expect, it } from 'vitest';
import { createModelCard } from './model-card';
import type { TrainResult } from './train-model';

const split = { train: { legit: 1, dga: 1 }, validation: { legit: 0, dga: 0 }, test: { legit: 1, dga: 1 } };
const result = {
  preset: 'tutorial',
  seed: 42,
  featureSet: { name: 'tutorial', version: 1, features: ['length', 'entropy', 'vowel_proportion'] },
  normalization: undefined,
  epochs: 1,
  history: [],
  bestEpoch: 1,
  batchSize: 2,
  learningRate: 0.001,
  stoppedEarly: false,
  seconds: 1,
  msPerStep: 1,
  dataMode: 'memory',
  dataFingerprint: { sha256: 'ab'.repeat(32), rows: 4 },
  split,
  test: { scores: Float32Array.from([0.1, 0.9]), labels: Uint8Array.from([0, 1]), families: ['legit', 'tinba'] },
  backend: 'cpu',
  warnings: [],
} as unknown as TrainResult;

describe('createModelCard', () => {
  it('records what reading the dataset skipped, by reason, and the label disagreements', () => {
    const read = { skipped: 1334, skippedByReason: { 'invalid-class': 1334 }, labelDisagreements: 93, labelsFromDomain: 3 };
    const card = createModelCard(result, { read });
    expect(card.data).toEqual({ sha256: 'ab'.repeat(32), rows: 4, split, read });
    expect((JSON.parse(JSON.stringify(card)) as typeof card).data.read).toEqual(read);
  });

  it('has no read report when none is given', () => {
    expect(createModelCard(result).data).toEqual({ sha256: 'ab'.repeat(32), rows: 4, split });
  });

  it('records the threshold, the false-positive rate it was chosen for and the family-held-out evaluation', () => {
    const familyHoldout = { status: 'skipped', reason: 'needs at least 2 DGA families in the subclass column to hold one out, found 1 (tinba)' } as const;
    const card = createModelCard(result, { threshold: 0.93, targetFpr: 0.01, familyHoldout });
    expect(card.metrics.threshold).toBe(0.93);
    expect(card.metrics.operatingPoints).toHaveLength(2);
    expect(card.targetFpr).toBe(0.01);
    expect(card.familyHoldout).toEqual(familyHoldout);
    expect(createModelCard(result)).not.toHaveProperty('familyHoldout');
    expect(createModelCard(result)).not.toHaveProperty('targetFpr');
  });
});
