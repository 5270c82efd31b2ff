import { describe, expect, it } from 'vitest';
import { featureSetNames, getFeatureSet } from './feature-set';
import { buildClassificationQuery, linqFeatureItems } from './linq';
import { ENGLISH_BIGRAMS, RARE_ENGLISH_BIGRAMS } from './english-bigrams';

/** Functions of docs/reference/linq-functions.md that the generated LINQ may use. */
const allowedFunctions = new Set([
  'split', 'rootsuffix', 'lower', 'isnotnull', 'float', 'float4', 'length', 'shannonentropy', 'countbyfilter', 'at', 'mlevalmodel',
  'ifthenelse', 'count', 'min', 'max', 'substring', 'locate',
]);

function functionsUsed(linq: string): string[] {
  const withoutStrings = linq.replace(/"[^"]*"/g, '""');
  return [...withoutStrings.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((match) => match[1]!);
}

/**
 * A tiny independent evaluator for the three shapes of feature expression (over the column
 * `label`), following the semantics of docs/reference/linq-functions.md, to check each LINQ twin against
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
  const bigram = /^ifthenelse\(label -> "([a-z]{2})", 1, 0\)$/.exec(expression);
  if (bigram !== null) return label.includes(bigram[1]!) ? 1 : 0;
  const share = /^ifthenelse\(length\(label\) > 1, float\((.*)\) \/ float\(ifthenelse\(length\(label\) > 25, 24, length\(label\) - 1\)\), 0\.0\)$/.exec(expression);
  if (share !== null) {
    if (characters.length < 2) return 0;
    const positions = share[1]!.split(' + ');
    let hits = 0;
    positions.forEach((position, index) => {
      const inside = `length\\(label\\) > ${index + 1}`;
      const start = index === 0 ? '0' : `ifthenelse\\(${inside}, ${index}, 0\\)`;
      const test = new RegExp(`^ifthenelse\\(${inside}, ifthenelse\\(([a-z_]+) -> substring\\(label, ${start}, ifthenelse\\(length\\(label\\) > 1, 2, 1\\)\\), 1, 0\\), 0\\)$`).exec(position);
      if (test === null) throw new Error(`unexpected pair position ${position}`);
      const table = getFeatureSet('ngram').features.find((feature) => feature.linqConstant?.column === test[1])!.linqConstant!.value;
      if (characters.length > index + 1 && table.includes(label.slice(index, index + 2))) hits += 1;
    });
    return hits / Math.min(characters.length - 1, positions.length);
  }
  // char_i: 1 + the index of the character at i in the alphabet (0 beyond the end or outside it).
  const code = /^ifthenelse\(length\(label\) > (\d+), ifthenelse\(char_alphabet -> (substring\(label, .+?, 1\)), locate\(char_alphabet, \2\) - locate\(char_alphabet, "a"\) \+ 1, 0\), 0\)$/.exec(expression);
  if (code !== null) {
    const position = Number(code[1]);
    const start = position === 0 ? '0' : `ifthenelse(length(label) > ${position}, ${position}, 0)`;
    if (code[2] !== `substring(label, ${start}, 1)`) throw new Error(`unexpected character ${code[2]}`);
    const alphabet = getFeatureSet('char').characterCodes!.alphabet;
    return position < characters.length ? alphabet.indexOf(label[position]!) + 1 : 0;
  }
  throw new Error(`unexpected feature expression ${expression}`);
}

describe('linqFeatureItems', () => {
  it('computes the label from a lowercased URL host with split and rootsuffix, then the tutorial features', () => {
    expect(linqFeatureItems({ field: 'referralUri', fieldKind: 'url', featureSet: 'tutorial' })).toEqual({
      items: [
        'split(rootsuffix(lower(split(split(referralUri, "/", 2), ":", 0))), ".", 0) as label',
        'float(length(label)) as length',
        'shannonentropy(label) as entropy',
        'float(countbyfilter(label, "aeiouAEIOU")) / float(length(label)) as vowel_proportion',
      ],
      featureColumns: ['length', 'entropy', 'vowel_proportion'],
      labelColumn: 'label',
      labelConditions: [
        'isnotnull(label)',
        'length(label) < 64',
        'countbyfilter(label, "abcdefghijklmnopqrstuvwxyz0123456789-_") = length(label)',
        'countbyfilter(label, "abcdefghijklmnopqrstuvwxyz0123456789") > 0',
      ],
      labelShapeConditions: [
        'length(split(label, "-", 0)) > 0',
        'length(split(label, "_", 0)) > 0',
        'countbyfilter(substring(label, length(label) - 1, 1), "-") = 0',
        'length(ifthenelse(label -> "xn--", ifthenelse(split(label, "-", 0) = "xn", split(label, "-", 1), "x"), "x")) > 0',
      ],
    });
  });

  it('starts from the lowercased host directly for a host field', () => {
    const result = linqFeatureItems({ field: 'serverHost', fieldKind: 'host', featureSet: 'tutorial' });
    expect(result.items[0]).toBe('split(rootsuffix(lower(serverHost)), ".", 0) as label');
    expect(result.items).toHaveLength(4);
  });

  it('defaults to the bigram set: the 42 extended columns (freq_- as freq_hyphen), then 200 bigram flags', () => {
    const result = linqFeatureItems({ field: 'host', fieldKind: 'host' });
    expect(result.featureColumns).toHaveLength(242);
    expect(result.featureColumns.slice(0, 5)).toEqual(['length', 'entropy', 'vowel_proportion', 'digit_ratio', 'consonant_ratio']);
    expect(result.featureColumns[41]).toBe('freq_hyphen');
    expect(result.items[42]).toBe('float(countbyfilter(label, "-")) / float(length(label)) as freq_hyphen');
    expect(result.items.at(-1)).toBe('ifthenelse(label -> "ub", 1, 0) as bigram_ub');
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

  it('defines the ngram pair tables once, before the features that read them', () => {
    const result = linqFeatureItems({ field: 'host', fieldKind: 'host', featureSet: 'ngram' });
    expect(result.featureColumns.slice(-2)).toEqual(['english_pair_share', 'rare_pair_share']);
    expect(result.items.slice(1, 3)).toEqual([
      `"${ENGLISH_BIGRAMS.join('|')}" as english_pair_share_table`,
      `"${RARE_ENGLISH_BIGRAMS.join('|')}" as rare_pair_share_table`,
    ]);
    const query = buildClassificationQuery({ modelName: 'm', featureSet: 'ngram' });
    expect(query.indexOf('as rare_pair_share_table')).toBeLessThan(query.indexOf('mlevalmodel'));
    expect(query.match(/"in\|er\|/g)).toHaveLength(1);
  });

  it.each(['bigram', 'ngram', 'char'] as const)('gives %s LINQ twins that evaluate to the TypeScript features, bigram flags included (labels that are only the bigram too)', (setName) => {
    const set = getFeatureSet(setName);
    const out = new Float64Array(set.size);
    for (const label of ['google', 'xjw3kq9zt1lmp0a', 'om-el-noor', '1002n0q11m17h017r1shexghfqf', 'a', 'zzzz', 'AEIOUxyz', 'in', 'coco', 'thin', 'americanwindsurfingtourqxqxqx', 'under_score']) {
      set.compute(label, out);
      set.features.forEach((feature, index) => {
        expect(evaluateFeatureLinq(feature.linq('label'), label), `${feature.name} of ${label}`).toBeCloseTo(out[index]!, 12);
      });
    }
  });

  it('defines the char alphabet once, before the character codes that read it', () => {
    const result = linqFeatureItems({ field: 'host', fieldKind: 'host', featureSet: 'char' });
    expect(result.featureColumns.slice(-24)).toEqual(Array.from({ length: 24 }, (_, position) => `char_${position}`));
    expect(result.items[1]).toBe('"abcdefghijklmnopqrstuvwxyz0123456789-" as char_alphabet');
    const query = buildClassificationQuery({ modelName: 'm', featureSet: 'char' });
    expect(query.match(/as char_alphabet/g)).toHaveLength(1);
    expect(query.indexOf('as char_alphabet')).toBeLessThan(query.indexOf('mlevalmodel'));
  });

  it('rejects a field that is not an identifier and an unknown field kind', () => {
    expect(() => linqFeatureItems({ field: 'a) as x, (b', fieldKind: 'url' })).toThrowError(
      expect.objectContaining({ code: 'ERR_FEATURES_INVALID_OPTION' }),
    );
    expect(() => linqFeatureItems({ field: 'uri', fieldKind: 'path' as 'url' })).toThrowError(/Invalid fieldKind "path"/);
  });
});

describe('buildClassificationQuery', () => {
  it('scores each distinct, valid, lowercased label once, with the features inline in mlevalmodel', () => {
    expect(buildClassificationQuery({ featureSet: 'tutorial', modelName: 'dga_classifier_onnx' })).toMatchInlineSnapshot(`
      "from demo.ecommerce.data
        select split(rootsuffix(lower(split(split(referralUri, "/", 2), ":", 0))), ".", 0) as label
        where isnotnull(label),
          length(label) < 64,
          countbyfilter(label, "abcdefghijklmnopqrstuvwxyz0123456789-_") = length(label),
          countbyfilter(label, "abcdefghijklmnopqrstuvwxyz0123456789") > 0
        where length(split(label, "-", 0)) > 0,
          length(split(label, "_", 0)) > 0,
          countbyfilter(substring(label, length(label) - 1, 1), "-") = 0,
          length(ifthenelse(label -> "xn--", ifthenelse(split(label, "-", 0) = "xn", split(label, "-", 1), "x"), "x")) > 0
        group by label every -
        select count() as events,
          min(eventdate) as firstSeen,
          max(eventdate) as lastSeen,
          at(mlevalmodel("self", "dga_classifier_onnx", [
            float4(float(length(label))),float4(shannonentropy(label)),
            float4(float(countbyfilter(label,"aeiouAEIOU"))/float(length(label)))
          ]), 1) as dga_probability,
          ifthenelse(dga_probability >= 0.5, "true", "false") as isMalicious"
    `);
  });

  it('keeps the default (bigram) query under 12,000 bytes, with one select column per output only', () => {
    const query = buildClassificationQuery({ modelName: 'dga_classifier_bigram' });
    expect(Buffer.byteLength(query)).toBeLessThanOrEqual(12_000);
    expect([...query.matchAll(/ as ([A-Za-z_]+)/g)].map((match) => match[1])).toEqual([
      'label', 'events', 'firstSeen', 'lastSeen', 'dga_probability', 'isMalicious',
    ]);
    // Bigram flags do not use split (whose trailing empty pieces are undocumented).
    expect(query.slice(query.indexOf('mlevalmodel'))).not.toContain('split(label');
    expect(query.slice(query.indexOf('mlevalmodel'))).toContain('float4(ifthenelse(label->"in",1,0))');
  });

  it('scores every event with scoring: event, and writes one column per feature with layout: columns', () => {
    const perEvent = buildClassificationQuery({ modelName: 'm', featureSet: 'tutorial', scoring: 'event' });
    expect(perEvent).not.toContain('group by');
    expect(perEvent).toContain('  where isnotnull(label)');
    expect([...perEvent.matchAll(/ as ([A-Za-z_]+)/g)].map((match) => match[1])).toEqual(['label', 'dga_probability', 'isMalicious']);
    const columns = buildClassificationQuery({ modelName: 'm', featureSet: 'tutorial', layout: 'columns' });
    expect(columns).toContain('    shannonentropy(label) as entropy,\n');
    expect(columns).toContain('mlevalmodel("self", "m", [float4(length), float4(entropy), float4(vowel_proportion)])');
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

  it('passes every feature to mlevalmodel in the model order', () => {
    const query = buildClassificationQuery({ modelName: 'm' });
    const inputs = /\[\n([^\]]*)\n {4}\]/.exec(query)![1]!.split(/,\n? *(?=float4)/).map((text) => text.trim());
    expect(inputs).toEqual(getFeatureSet('bigram').features.map((feature) => `float4(${feature.linq('label')})`.replace(/, /g, ',').replace(/ (->|\/) /g, '$1')));
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
    [{ modelName: 'm', scoring: 'row' as 'event' }, /scoring "row"/],
    [{ modelName: 'm', layout: 'wide' as 'inline' }, /layout "wide"/],
  ])('rejects bad options %j', (options, message) => {
    expect(() => buildClassificationQuery(options)).toThrowError(message);
  });

  it.each([
    [{ modelName: 'a"b' }, 'modelName', 'a"b'],
    [{ modelName: 'm', table: 'bad table' }, 'table', 'bad table'],
    [{ modelName: 'm', domain: 'x"y' }, 'domain', 'x"y'],
    [{ modelName: 'm', field: 'a b' }, 'field', 'a b'],
  ])('names the refused option and its value on the error of %j, for the application to name its own flag', (options, option, input) => {
    expect(() => buildClassificationQuery(options)).toThrowError(expect.objectContaining({ code: 'ERR_FEATURES_INVALID_OPTION', option, input }));
  });
});
