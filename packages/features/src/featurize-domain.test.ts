import { describe, expect, it } from 'vitest';
import { FeaturesError } from './features-error';
import { getFeatureSet } from './feature-set';
import { featurizeDomain, featurizeDomains, featurizeLabels } from './featurize-domain';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('featurizeDomain', () => {
  it('featurizes the label of a URL, not its full host', () => {
    const result = featurizeDomain('http://www.google.com/product.screen?id=1', { featureSet: 'tutorial' });
    expect(result.label).toBe('google');
    expect(result.features[0]).toBe(6);
    expect(result.features[1]).toBeCloseTo(1.918296, 6);
    expect(result.features[2]).toBe(0.5);
  });

  it('uses the bigram set (the default preset\'s) by default', () => {
    expect(featurizeDomain('bbc.co.uk').features).toHaveLength(242);
  });

  it('throws the extraction error for an input without a label', () => {
    expect(() => featurizeDomain('co.uk')).toThrowError(expect.objectContaining({ code: 'ERR_FEATURES_PUBLIC_SUFFIX' }));
  });
});

describe('featurizeLabels', () => {
  it('fills a row-major N×size Float32Array', () => {
    const labels = ['google', 'xjw3kq9zt1lmp0a', 'a'];
    const matrix = featurizeLabels(labels, { featureSet: 'tutorial' });
    expect(matrix).toBeInstanceOf(Float32Array);
    expect(matrix).toHaveLength(9);
    const row = new Float64Array(3);
    labels.forEach((label, index) => {
      getFeatureSet('tutorial').compute(label, row);
      expect([...matrix.subarray(index * 3, index * 3 + 3)]).toEqual([...row].map((value) => Math.fround(value)));
    });
    expect(matrix[3]).toBe(15);
  });

  it('reuses a caller buffer and checks its size', () => {
    const out = new Float32Array(242 * 2);
    expect(featurizeLabels(['ab', 'cd'], { out })).toBe(out);
    expect(() => featurizeLabels(['ab', 'cd'], { out: new Float32Array(10) })).toThrowError(/options.out has 10 elements/);
  });

  it('names the index of an empty label', () => {
    expect(() => featurizeLabels(['ok', ''])).toThrowError(/label at index 1 is empty/);
  });
});

describe('featurizeDomains', () => {
  it('streams from sync and async iterables in order', async () => {
    async function* inputs(): AsyncIterable<string> {
      await Promise.resolve();
      yield 'www.bbc.co.uk';
      yield 'https://fizrbzba.dyndns.org/x';
    }
    const fromAsync = await collect(featurizeDomains(inputs(), { featureSet: 'tutorial' }));
    expect(fromAsync.map((item) => item.label)).toEqual(['bbc', 'fizrbzba']);
    const fromArray = await collect(featurizeDomains(['www.bbc.co.uk'], { featureSet: 'tutorial' }));
    expect([...fromArray[0]!.features]).toEqual([...fromAsync[0]!.features]);
    // Each result owns its features.
    expect(fromAsync[0]!.features).not.toBe(fromAsync[1]!.features);
  });

  it('throws on an invalid input by default', async () => {
    await expect(collect(featurizeDomains(['ok.com', '10.0.0.1']))).rejects.toSatisfy(
      (error) => FeaturesError.isInstance(error) && error.code === 'ERR_FEATURES_IP_ADDRESS',
    );
  });

  it('skips invalid inputs and reports each when asked', async () => {
    const skipped: string[] = [];
    const results = await collect(
      featurizeDomains(['co.uk', 'ok.com', ''], { invalid: 'skip', onSkip: (input, error) => skipped.push(`${input}:${error.code}`) }),
    );
    expect(results.map((item) => item.label)).toEqual(['ok']);
    expect(skipped).toEqual(['co.uk:ERR_FEATURES_PUBLIC_SUFFIX', ':ERR_FEATURES_INVALID_INPUT']);
  });
});
