import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset, type DatasetRow } from '@dga/dataset';
import { featurizeDomain } from '@dga/features';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { streamTrainingExamples } from './stream-training-examples';
import type { TrainingExample } from './train-model';

async function collect(file: string): Promise<TrainingExample[]> {
  const examples: TrainingExample[] = [];
  for await (const example of streamTrainingExamples(readDataset(file), 'extended')) examples.push(example);
  return examples;
}

describe.skipIf(requireSharedData('sample-small.csv'))('streamTrainingExamples on a dataset', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dga-examples-'));
  const upper = join(directory, 'upper.csv');
  beforeAll(() => {
    const [header, ...lines] = readFileSync(sharedDataFile('sample-small.csv'), 'utf8').split('\n');
    writeFileSync(upper, [header, ...lines.map((line) => line.toUpperCase())].join('\n'));
  });

  it('featurizes exactly what classify featurizes for each host', async () => {
    const rows: DatasetRow[] = [];
    for await (const row of readDataset(sharedDataFile('sample-small.csv'))) rows.push(row);
    const examples = await collect(sharedDataFile('sample-small.csv'));
    expect(examples).toHaveLength(2000);
    examples.forEach((example, index) => {
      const classified = featurizeDomain(rows[index]!.host, { featureSet: 'extended' });
      expect(example.key).toBe(classified.label);
      expect(example.features).toEqual(Float32Array.from(classified.features));
    });
  });

  it('gives an upper-case copy of the data the same examples as the original', async () => {
    const original = await collect(sharedDataFile('sample-small.csv'));
    const shouted = await collect(upper);
    expect(shouted.map((example) => example.key)).toEqual(original.map((example) => example.key));
    expect(shouted).toEqual(original);
  });
});
