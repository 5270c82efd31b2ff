import { describe, expect, it } from 'vitest';
import { featurizeDomain, getFeatureSet } from '@dga/features';
import { classifyStream, type RowPredictor } from './classify-stream';

/** Scores each row as P(DGA) = length / 100, and records the batch sizes it was called with. */
function lengthModel(size: number): RowPredictor & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    predict(rows) {
      const count = rows.length / size;
      calls.push(count);
      const out = new Float32Array(count * 2);
      for (let row = 0; row < count; row += 1) {
        const p = rows[row * size]! / 100;
        out[row * 2] = 1 - p;
        out[row * 2 + 1] = p;
      }
      return Promise.resolve(out);
    },
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('classifyStream', () => {
  it('keeps input order across batches and yields the contract fields', async () => {
    const model = lengthModel(getFeatureSet('extended').size);
    const inputs = ['google.com', 'http://www.bbc.co.uk/news', '!!', 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij.net', 'a.org'];
    const records = await collect(classifyStream(inputs.map((value) => ({ value })), model, { featureSet: 'extended', outputSize: 2, batchSize: 2, threshold: 0.5 }));
    expect(records.map((record) => record.input)).toEqual(inputs);
    expect(model.calls).toEqual([2, 2]);
    const google = featurizeDomain('google.com', { featureSet: 'tutorial' });
    expect(records[0]).toEqual({
      input: 'google.com',
      label: 'google',
      length: 6,
      entropy: google.features[1],
      vowel_proportion: 0.5,
      probability: Math.fround(6 / 100),
      malicious: false,
    });
    expect(records[1]?.label).toBe('bbc');
    expect(records[2]).toMatchObject({ input: '!!', label: null, probability: null, malicious: null });
    expect(records[2]?.error).toMatch(/no registrable label/);
    expect(records[3]?.malicious).toBe(true);
  });
});
