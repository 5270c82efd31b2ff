import { describe, expect, it } from 'vitest';
import { featureSetNames, getFeatureSet } from './feature-set';
import { buildClassificationQuery, linqFeatureItems } from './linq';

/** Functions of refs/linq-functions.md that the generated LINQ may use. */
const allowedFunctions = new Set([
  'split', 'rootsuffix', 'float', 'float4', 'length', 'shannonentropy', 'countbyfilter', 'at', 'mlevalmodel', 'ifthenelse',
]);

function functionsUsed(linq: string): string[] {
  const withoutStrings = linq.replace(/"[^"]*"/g, '""');
  return [...withoutStrings.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((match) => match[1]!);
}

/**
 * A tiny independent evaluator for the three shapes of feature expression (over the column
 * `label`), following the semantics of refs/linq-functions.md, to check each LINQ twin against
 * its TypeScript computation.
 */
function evaluateFeatureLinq(expression: string, label: string): number {
  const characters = [...label];
  if (expression === 'float(length(label))') return characters.length;
  if (expression === 'shannonentropy(label)') {
    const counts: Record<string, number> = {};
    for (const character of characters) counts[character] = (counts[character] ?? 0) + 1;
    return -Object.values(counts).reduce((sum, count) => sum + (count / label.length) * Math.log2(count / label.length), 0);
  }
  const proportion = /^float\(countbyfilter\(label, "([^"]+)"\)\) \/ float\(length\(label\)\)$/.exec(expression);
  if (proportion !== null) {
    const set = proportion[1]!;
    return characters.filter((character) => set.includes(character)).length / characters.length;
  }
  throw new Error(`unexpected feature expression ${expression}`);
}

describe('linqFeatureItems', () => {
  it('computes the label from a URL field with split and rootsuffix, then the tutorial features', () => {
    expect(linqFeatureItems({ field: 'referralUri', fieldKind: 'url', featureSet: 'tutorial' })).toEqual({
      items: [
        'split(split(referralUri, "/", 2), ":", 0) as dga_host',
        'split(rootsuffix(dga_host), ".", 0) as label',
        'float(length(label)) as length',
        'shannonentropy(label) as entropy',
        'float(countbyfilter(label, "aeiouAEIOU")) / float(length(label)) as vowel_proportion',
      ],
      featureColumns: ['length', 'entropy', 'vowel_proportion'],
      labelColumn: 'label',
      hostColumn: 'dga_host',
    });
  });

  it('starts from the host directly for a host field', () => {
    const result = linqFeatureItems({ field: 'serverHost', fieldKind: 'host', featureSet: 'tutorial' });
    expect(result.items[0]).toBe('split(rootsuffix(serverHost), ".", 0) as label');
    expect(result.items).toHaveLength(4);
    expect(result.hostColumn).toBeUndefined();
  });

  it('defaults to the bigram set: the 42 extended columns (freq_- as freq_hyphen), then 200 bigram flags', () => {
    const result = linqFeatureItems({ field: 'host', fieldKind: 'host' });
    expect(result.featureColumns).toHaveLength(242);
    expect(result.featureColumns.slice(0, 5)).toEqual(['length', 'entropy', 'vowel_proportion', 'digit_ratio', 'consonant_ratio']);
    expect(result.featureColumns[41]).toBe('freq_hyphen');
    expect(result.items[42]).toBe('float(countbyfilter(label, "-")) / float(length(label)) as freq_hyphen');
    expect(result.items.at(-1)).toBe('ifthenelse(length(split(label, "ub", 0)) < length(label), 1.0, 0.0) as bigram_ub');
    for (const column of result.featureColumns) expect(column).toMatch(/^[a-z_][a-z0-9_]*$/);
  });

  it('uses only functions of the LINQ reference', () => {
    for (const featureSet of featureSetNames) {
      for (const fieldKind of ['url', 'host'] as const) {
        const query = buildClassificationQuery({ featureSet, fieldKind, modelName: 'm' });
        for (const name of functionsUsed(query)) expect(allowedFunctions).toContain(name);
        for (const item of linqFeatureItems({ field: 'f', fieldKind, featureSet }).items) {
          for (const name of functionsUsed(item)) expect(allowedFunctions).toContain(name);
        }
      }
    }
  });

  it('gives LINQ twins that evaluate to the TypeScript features', () => {
    const set = getFeatureSet('extended');
    const out = new Float64Array(set.size);
    for (const label of ['google', 'xjw3kq9zt1lmp0a', 'om-el-noor', '1002n0q11m17h017r1shexghfqf', 'a', 'zzzz', 'AEIOUxyz']) {
      set.compute(label, out);
      set.features.forEach((feature, index) => {
        expect(evaluateFeatureLinq(feature.linq('label'), label), `${feature.name} of ${label}`).toBeCloseTo(out[index]!, 12);
      });
    }
  });

  it('rejects a field that is not an identifier and an unknown field kind', () => {
    expect(() => linqFeatureItems({ field: 'a) as x, (b', fieldKind: 'url' })).toThrowError(
      expect.objectContaining({ code: 'ERR_FEATURES_INVALID_OPTION' }),
    );
    expect(() => linqFeatureItems({ field: 'uri', fieldKind: 'path' as 'url' })).toThrowError(/Invalid fieldKind "path"/);
  });
});

describe('buildClassificationQuery', () => {
  it('fixes the tutorial query: label, all three features as float4, P(DGA) at index 1', () => {
    expect(buildClassificationQuery({ featureSet: 'tutorial', modelName: 'dga_classifier_onnx' })).toMatchInlineSnapshot(`
      "from demo.ecommerce.data
        select split(split(referralUri, "/", 2), ":", 0) as dga_host,
          split(rootsuffix(dga_host), ".", 0) as label,
          float(length(label)) as length,
          shannonentropy(label) as entropy,
          float(countbyfilter(label, "aeiouAEIOU")) / float(length(label)) as vowel_proportion,
          at(mlevalmodel("self", "dga_classifier_onnx", [float4(length), float4(entropy), float4(vowel_proportion)]), 1) as dga_probability,
          ifthenelse(dga_probability >= 0.5, "true", "false") as isMalicious"
    `);
  });

  it('matches the golden extended query on a host field', () => {
    expect(
      buildClassificationQuery({
        table: 'proxy.all.access',
        field: 'dstHost',
        fieldKind: 'host',
        featureSet: 'extended',
        modelName: 'dga_extended',
        domain: 'acme',
        threshold: 0.8,
      }),
    ).toMatchSnapshot();
  });

  it('passes every feature column to mlevalmodel in the model order', () => {
    const query = buildClassificationQuery({ modelName: 'm' });
    const inputs = /\[(.*)\]/.exec(query)![1]!.split(', ');
    expect(inputs).toEqual(getFeatureSet('bigram').features.map((feature) => `float4(${feature.column})`));
  });

  it('writes small thresholds without an exponent', () => {
    expect(buildClassificationQuery({ modelName: 'm', threshold: 1e-7 })).toContain('dga_probability >= 0.0000001,');
    expect(buildClassificationQuery({ modelName: 'm', threshold: 1 })).toContain('dga_probability >= 1,');
  });

  it.each([
    [{ modelName: '' }, /modelName ""/],
    [{ modelName: 'a"b' }, /modelName/],
    [{ modelName: 'm', threshold: 1.5 }, /threshold "1.5"/],
    [{ modelName: 'm', threshold: Number.NaN }, /threshold "NaN"/],
    [{ modelName: 'm', table: 'bad table' }, /table "bad table"/],
    [{ modelName: 'm', domain: 'x"y' }, /domain/],
  ])('rejects bad options %j', (options, message) => {
    expect(() => buildClassificationQuery(options)).toThrowError(message);
  });
});
