import { describe, expect, it } from 'vitest';
import type { LoadedModel, ModelResolver } from '../model-runner';
import type { DevoValue } from './devo-type';
import { DEFAULT_LINQ_SEMANTICS, linqSemanticsChoices, resolveLinqSemantics, type LinqSemantics } from './linq-semantics';
import { runLinqQuery } from './run-query';

const now = Date.UTC(2026, 10, 28, 12, 0, 0);

/** A model that returns the sum of its inputs, to see which rows reached it. */
const sumModel: LoadedModel = {
  name: 'sum',
  inputSize: 1,
  outputSize: 1,
  run: (rows) => Promise.resolve(Float32Array.from(rows)),
};
const models: ModelResolver = { resolve: (_domain, name) => Promise.resolve(name === 'sum' ? sumModel : undefined) };

/** The values of `expression` over one row per host, under `semantics`. */
async function valuesOf(expression: string, hosts: readonly (string | null)[], semantics: Partial<LinqSemantics> = {}): Promise<DevoValue[]> {
  const table = { columns: [{ name: 'h', type: 'str' }], rows: hosts.map((host) => [host]) };
  const result = await runLinqQuery(`from t select ${expression} as v`, { tables: { t: table }, now, semantics, models });
  const values: DevoValue[] = [];
  for await (const row of result.rows) values.push(row[result.columns.length - 1] ?? null);
  return values;
}

describe('LinqSemantics', () => {
  it('defaults to the readings the references call most likely, each the first of its choices', () => {
    expect(resolveLinqSemantics()).toEqual(DEFAULT_LINQ_SEMANTICS);
    for (const [key, values] of Object.entries(linqSemanticsChoices)) expect(values[0]).toBe(DEFAULT_LINQ_SEMANTICS[key as keyof LinqSemantics]);
  });

  it('pslRules: rootsuffix applies the private section or ICANN rules only', async () => {
    const hosts = ['fizrbzba.dyndns.org', 'foo.github.io', 'www.bbc.co.uk'];
    expect(await valuesOf('rootsuffix(h)', hosts)).toEqual(['fizrbzba.dyndns.org', 'foo.github.io', 'bbc.co.uk']);
    expect(await valuesOf('rootsuffix(h)', hosts, { pslRules: 'icann' })).toEqual(['dyndns.org', 'github.io', 'bbc.co.uk']);
  });

  it('splitTrailingEmpty: a label that is only the separator gives "" or null, so a split-based bigram flag flips', async () => {
    expect(await valuesOf('split(h, "in", 0)', ['in', 'kinin'])).toEqual(['', 'k']);
    expect(await valuesOf('split(h, "in", 0)', ['in', 'kinin'], { splitTrailingEmpty: 'drop' })).toEqual([null, 'k']);
    const flag = 'ifthenelse(length(split(h, "in", 0)) < length(h), 1, 0)';
    expect(await valuesOf(flag, ['in'])).toEqual([1]);
    expect(await valuesOf(flag, ['in'], { splitTrailingEmpty: 'drop' })).toEqual([0]);
    // `->` does not depend on it.
    expect(await valuesOf('ifthenelse(h -> "in", 1, 0)', ['in'], { splitTrailingEmpty: 'drop' })).toEqual([1]);
  });

  it('hostCase: rootsuffix lowercases or keeps the case, which lower() first makes irrelevant', async () => {
    expect(await valuesOf('rootsuffix(h)', ['WWW.Google.COM'])).toEqual(['google.com']);
    expect(await valuesOf('rootsuffix(h)', ['WWW.Google.COM'], { hostCase: 'preserve' })).toEqual(['Google.COM']);
    expect(await valuesOf('rootsuffix(lower(h))', ['WWW.Google.COM'], { hostCase: 'preserve' })).toEqual(['google.com']);
  });

  it('locateBase and locateNotFound: where locate counts from and what it gives for a missing substring', async () => {
    expect(await valuesOf('locate(h, "c")', ['abc', 'xyz'])).toEqual([2, -1]);
    expect(await valuesOf('locate(h, "c")', ['abc', 'xyz'], { locateBase: '1', locateNotFound: '0' })).toEqual([3, 0]);
    expect(await valuesOf('locate(h, "c")', ['xyz'], { locateNotFound: 'null' })).toEqual([null]);
    // The char set's reading: base-free (relative to "a") and guarded by "->".
    const code = 'ifthenelse(h -> "c", locate(h, "c") - locate(h, "a") + 1, 0)';
    for (const locateBase of linqSemanticsChoices.locateBase) {
      for (const locateNotFound of linqSemanticsChoices.locateNotFound) expect(await valuesOf(code, ['abc', 'xyz'], { locateBase, locateNotFound })).toEqual([3, 0]);
    }
  });

  it('containsCase, countbyfilter and entropyBase change the probe values', async () => {
    expect(await valuesOf('h -> "in"', ['KININ'])).toEqual([false]);
    expect(await valuesOf('h -> "in"', ['KININ'], { containsCase: 'insensitive' })).toEqual([true]);
    expect(await valuesOf('countbyfilter(h, "og")', ['google'])).toEqual([4]);
    expect(await valuesOf('countbyfilter(h, "og")', ['google'], { countbyfilter: 'substring' })).toEqual([1]);
    const [bits] = await valuesOf('shannonentropy(h)', ['google']);
    const [nats] = await valuesOf('shannonentropy(h)', ['google'], { entropyBase: 'e' });
    expect(bits).toBeCloseTo(1.918296, 6);
    expect(nats).toBeCloseTo(1.918296 * Math.LN2, 6);
  });

  it('modelOnNull: a null feature gives a null score, or fails the query', async () => {
    const score = 'at(mlevalmodel("self", "sum", [float4(length(split(h, ".", 1)))]), 0)';
    expect(await valuesOf(score, ['a.bc', 'nodot'])).toEqual([2, null]);
    await expect(valuesOf(score, ['a.bc', 'nodot'], { modelOnNull: 'error' })).rejects.toThrow(/Error Processing Query: mlevalmodel\(\).*got a null feature/);
    // Filtered out first, the null never reaches the model.
    const table = { columns: [{ name: 'h', type: 'str' }], rows: [['a.bc'], ['nodot']] };
    const result = await runLinqQuery(`from t select split(h, ".", 1) as p where isnotnull(p) select ${score} as v`, {
      tables: { t: table }, now, semantics: { modelOnNull: 'error' }, models,
    });
    const rows: DevoValue[][] = [];
    for await (const row of result.rows) rows.push(row);
    expect(rows.map((row) => row.at(-1))).toEqual([2]);
  });
});
