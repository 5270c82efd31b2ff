import { describe, expect, it } from 'vitest';
import type { LoadedModel, ModelResolver } from '../model-runner';
import { LinqQueryError } from '../sandbox-error';
import type { DevoValue } from './devo-type';
import { runLinqQuery, type SandboxTable } from './run-query';

const now = Date.UTC(2026, 10, 28, 23, 40, 12, 345);

const table: SandboxTable = {
  columns: [
    { name: 'eventdate', type: 'timestamp' },
    { name: 'referralUri', type: 'str' },
    { name: 'statusCode', type: 'int4' },
    { name: 'bytes', type: 'float8' },
  ],
  rows: [
    [Date.UTC(2026, 10, 28, 10, 0, 0), 'http://www.google.com/product.screen?x=1', 200, 1.5],
    [Date.UTC(2026, 10, 28, 10, 3, 0), '-', 404, null],
    [Date.UTC(2026, 10, 28, 10, 7, 0), 'https://www.bing.com/', 200, 2.5],
    [Date.UTC(2026, 10, 28, 11, 0, 0), 'http://www.logcasts.com/a/b', 500, 4],
  ],
};

async function collect(query: string, options: { from?: number; to?: number; models?: ModelResolver } = {}): Promise<{ columns: { name: string; type: string }[]; rows: DevoValue[][] }> {
  const result = await runLinqQuery(query, { tables: { 'demo.ecommerce.data': table }, now, ...options });
  const rows: DevoValue[][] = [];
  for await (const row of result.rows) rows.push(row);
  return { columns: result.columns, rows };
}

/** Evaluates one expression over a one-row table with `s` (str), `n` (int4), `f` (float8), `t` (timestamp). */
async function evaluate(expression: string, row: { s?: string | null; n?: number | null; f?: number | null } = {}): Promise<{ value: DevoValue; type: string }> {
  const single: SandboxTable = {
    columns: [{ name: 's', type: 'str' }, { name: 'n', type: 'int4' }, { name: 'f', type: 'float8' }, { name: 't', type: 'timestamp' }],
    rows: [[row.s === undefined ? 'www.google.com' : row.s, row.n === undefined ? 7 : row.n, row.f === undefined ? 2.5 : row.f, Date.UTC(2026, 0, 2, 3, 4, 5)]],
  };
  const result = await runLinqQuery(`from one select ${expression} as v`, { tables: { one: single }, now });
  const rows: DevoValue[][] = [];
  for await (const value of result.rows) rows.push(value);
  return { value: rows[0]?.[0] ?? null, type: result.columns[0]?.type ?? '' };
}

async function launchError(query: string, models?: ModelResolver): Promise<LinqQueryError> {
  try {
    await collect(query, models === undefined ? {} : { models });
  } catch (error) {
    if (LinqQueryError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`expected ${query} to fail at launch`);
}

describe('runLinqQuery: the test vectors of docs/reference/linq-functions.md §5', () => {
  it.each([
    ['https://www.google.com/x', 'www.google.com'],
    ['http://www.bing.com/', 'www.bing.com'],
    ['-', null],
  ])('split(%j, "/", 2) is %j', async (input, expected) => {
    expect(await evaluate('split(s, "/", 2)', { s: input })).toEqual({ value: expected, type: 'str' });
  });

  it.each([
    ['www.google.com', 14, 2.842371, 4],
    ['www.bing.com', 12, 3.022055, 2],
    ['www.logcasts.com', 16, 3.20282, 3],
    ['xjw3kq9zt1lmp0a.net', 19, 4.142664, 2],
  ])('%s has length %d, entropy %f and %d vowels', async (input, length, entropy, vowels) => {
    expect(await evaluate('length(s)', { s: input })).toEqual({ value: length, type: 'int4' });
    const computed = await evaluate('shannonentropy(s)', { s: input });
    expect(computed.type).toBe('float8');
    expect(computed.value as number).toBeCloseTo(entropy, 6);
    expect(await evaluate('countbyfilter(s, "aeiouAEIOU")', { s: input })).toEqual({ value: vowels, type: 'int4' });
  });

  it('substring finds a pair in a |-separated table (the ngram pair shares)', async () => {
    expect(await evaluate('"in|er" -> substring(s, 0, 2)', { s: 'inn' })).toEqual({ value: true, type: 'bool' });
    expect(await evaluate('"in|er" -> substring(s, 1, 2)', { s: 'inn' })).toEqual({ value: false, type: 'bool' });
  });

  it('gives the documented entropies of google (1.918296) and aaaa (0)', async () => {
    expect((await evaluate('shannonentropy(s)', { s: 'google' })).value as number).toBeCloseTo(1.918296, 6);
    expect((await evaluate('shannonentropy(s)', { s: 'aaaa' })).value).toBe(0);
    expect((await evaluate('shannonentropy(s)', { s: '' })).value).toBe(0);
  });

  it('indexes arrays from 0 and picks ifthenelse branches', async () => {
    expect(await evaluate('at([0.91, 0.09], 0)')).toEqual({ value: 0.91, type: 'float8' });
    expect(await evaluate('[0.91, 0.09][1]')).toEqual({ value: 0.09, type: 'float8' });
    expect(await evaluate('at([1, 2], 5)')).toEqual({ value: null, type: 'int4' });
    expect(await evaluate('ifthenelse(0.91 > 0.5, "false", "true")')).toEqual({ value: 'false', type: 'str' });
  });

  it('returns the tutorial row shape of docs/reference/linq-functions.md §6 up to the model column', async () => {
    const { columns, rows } = await collect(`from demo.ecommerce.data
      select split(referralUri, "/",2) as domain,
      float(length(domain)) as length,
      shannonentropy(domain) as entropy,
      float(countbyfilter(domain, "aeiouAEIOU")) as vowel_proportion`);
    expect(columns).toEqual([
      { name: 'domain', type: 'str' },
      { name: 'length', type: 'float8' },
      { name: 'entropy', type: 'float8' },
      { name: 'vowel_proportion', type: 'float8' },
    ]);
    expect(rows[0]?.slice(0, 2)).toEqual(['www.google.com', 14]);
    expect(rows[0]?.[2] as number).toBeCloseTo(2.842371, 6);
    expect(rows[0]?.[3]).toBe(4);
    expect(rows[1]).toEqual([null, null, null, null]);
  });
});

describe('runLinqQuery: functions', () => {
  it('splits into an array with two arguments and keeps empty pieces', async () => {
    expect(await evaluate('split(s, "/")', { s: 'https://a/b' })).toEqual({ value: ['https:', '', 'a', 'b'], type: 'str[]' });
    expect((await evaluate('split(s, "/", 1)', { s: 'https://a/b' })).value).toBe('');
  });

  it('counts every occurrence of the filter characters, case-sensitively', async () => {
    expect((await evaluate('countbyfilter(s, "ao")', { s: 'aAoooz' })).value).toBe(4);
    expect((await evaluate('countbyfilter(s, "")', { s: 'abc' })).value).toBe(0);
  });

  it('converts numbers: float4 rounds to single precision, int truncates, str formats', async () => {
    expect(await evaluate('float4(0.1)')).toEqual({ value: Math.fround(0.1), type: 'float4' });
    expect((await evaluate('float4(0.1)')).value).not.toBe(0.1);
    expect(await evaluate('float8(n)')).toEqual({ value: 7, type: 'float8' });
    expect(await evaluate('float(s)', { s: '2.5' })).toEqual({ value: 2.5, type: 'float8' });
    expect(await evaluate('float(s)', { s: 'abc' })).toEqual({ value: null, type: 'float8' });
    expect(await evaluate('int(f)', { f: -2.7 })).toEqual({ value: -2, type: 'int4' });
    expect(await evaluate('str(n)')).toEqual({ value: '7', type: 'str' });
    expect(await evaluate('str(t)')).toEqual({ value: '2026-01-02 03:04:05.000', type: 'str' });
  });

  it('splits URIs into their parts', async () => {
    const uri = 'https://www.bbc.co.uk:8443/a/b?q=1#f';
    expect((await evaluate('urihost(s)', { s: uri })).value).toBe('www.bbc.co.uk');
    expect((await evaluate('uripath(s)', { s: uri })).value).toBe('/a/b');
    expect((await evaluate('uriquery(s)', { s: uri })).value).toBe('q=1');
    expect((await evaluate('urifragment(s)', { s: uri })).value).toBe('f');
    expect((await evaluate('urischeme(s)', { s: uri })).value).toBe('https');
    expect(await evaluate('uriport(s)', { s: uri })).toEqual({ value: 8443, type: 'int4' });
    expect((await evaluate('uriport(s)', { s: 'http://a.com/' })).value).toBeNull();
    expect((await evaluate('urihost(s)', { s: 'http://user:pw@a.com:80/' })).value).toBe('a.com');
    expect((await evaluate('urihost(s)', { s: '-' })).value).toBeNull();
  });

  it('splits hosts by the public suffix list, private section included', async () => {
    const host = 'www.bbc.co.uk';
    expect((await evaluate('publicsuffix(s)', { s: host })).value).toBe('co.uk');
    expect((await evaluate('topleveldomain(s)', { s: host })).value).toBe('uk');
    expect((await evaluate('rootsuffix(s)', { s: host })).value).toBe('bbc.co.uk');
    expect((await evaluate('rootdomain(s)', { s: host })).value).toBe('bbc');
    expect((await evaluate('rootprefix(s)', { s: host })).value).toBe('www.bbc');
    expect((await evaluate('subdomain(s)', { s: host })).value).toBe('www');
    expect((await evaluate('rootsuffix(s)', { s: 'fizrbzba.dyndns.org' })).value).toBe('fizrbzba.dyndns.org');
    expect((await evaluate('rootsuffix(s)', { s: 'om-el-noor.blogspot.com' })).value).toBe('om-el-noor.blogspot.com');
    expect((await evaluate('rootsuffix(s)', { s: 'blogspot.com' })).value).toBe('blogspot.com');
    expect((await evaluate('rootsuffix(s)', { s: 'adegjkaiggjm.bazar' })).value).toBe('adegjkaiggjm.bazar');
    expect((await evaluate('rootsuffix(s)', { s: '1.2.3.4' })).value).toBeNull();
    expect((await evaluate('rootsuffix(s)', { s: '' })).value).toBeNull();
    // Host names are not validated (a label filter, not rootsuffix, must refuse such labels).
    expect((await evaluate('rootsuffix(s)', { s: 'www.-abc-.com' })).value).toBe('-abc-.com');
    expect((await evaluate('rootsuffix(s)', { s: 'ab!c.com' })).value).toBe('ab!c.com');
  });

  it('cuts substrings from position 0, and fails the query out of range (the strictest reading)', async () => {
    expect((await evaluate('substring(s, 0, 3)', { s: 'abc-' })).value).toBe('abc');
    expect((await evaluate('substring(s, length(s) - 1, 1)', { s: 'abc-' })).value).toBe('-');
    expect((await evaluate('substring(s, 2)', { s: 'abc-' })).value).toBe('c-');
    expect((await evaluate('substring(s, 0, 1)', { s: null })).value).toBeNull();
    await expect(evaluate('substring(s, length(s) - 1, 1)', { s: '' })).rejects.toThrow(/Error Processing Query: substring\(\) at line 1:\d+: start -1, length 1 is out of range for a string of 0 characters/);
    await expect(evaluate('substring(s, 0, 4)', { s: 'ab' })).rejects.toThrow(/out of range/);
  });

  it('reads the injected clock for now(), today() and yesterday()', async () => {
    expect(await evaluate('now()')).toEqual({ value: now, type: 'timestamp' });
    expect((await evaluate('today()')).value).toBe(Date.UTC(2026, 10, 28));
    expect((await evaluate('yesterday()')).value).toBe(Date.UTC(2026, 10, 27));
    expect(await evaluate('now() - 2 * day()')).toEqual({ value: now - 2 * 86_400_000, type: 'timestamp' });
    expect(await evaluate('hour(t)')).toEqual({ value: 3, type: 'int4' });
    expect((await evaluate('now() - t > 1d')).value).toBe(true);
    expect((await evaluate('timestamp("2023-11-06 07:30:00")')).value).toBe(Date.UTC(2023, 10, 6, 7, 30));
  });

  it('propagates null through functions and arithmetic, and treats a null condition as false', async () => {
    expect((await evaluate('length(s)', { s: null })).value).toBeNull();
    expect((await evaluate('f + 1', { f: null })).value).toBeNull();
    expect((await evaluate('ifthenelse(f > 1, "big", "small")', { f: null })).value).toBe('small');
    expect((await evaluate('isnull(f)', { f: null })).value).toBe(true);
    expect((await evaluate('f > 1 or true', { f: null })).value).toBe(true);
    expect((await evaluate('f > 1 and true', { f: null })).value).toBeNull();
  });
});

describe('runLinqQuery: operators', () => {
  it.each([
    ['7 / 2', 3, 'int4'],
    ['-7 / 2', -3, 'int4'],
    ['7 \\ 2', 3.5, 'float8'],
    ['7.0 / 2', 3.5, 'float8'],
    ['7 % 3', 1, 'int4'],
    ['1 / 0', null, 'int4'],
    ['2 + 3 * 4', 14, 'int4'],
    ['float4(1) + float4(2)', 3, 'float4'],
    ['"abc" -> "b"', true, 'bool'],
    ['"abc" -> "B"', false, 'bool'],
    ['n in {1, 7}', true, 'bool'],
    ['s in {"x", "y"}', false, 'bool'],
    ['1 < n <= 7', true, 'bool'],
    ['1 < n < 7', false, 'bool'],
    ['n /= 7', false, 'bool'],
    ['not (n = 7)', false, 'bool'],
    ['-n', -7, 'int4'],
  ])('%s = %j (%s)', async (expression, value, type) => {
    expect(await evaluate(expression)).toEqual({ value, type });
  });
});

describe('runLinqQuery: clauses', () => {
  it('lets later select items see earlier names, also across clauses', async () => {
    const { rows } = await collect('from demo.ecommerce.data select split(referralUri, "/", 2) as domain, length(domain) as len where len > 12 select len * 2 as twice');
    expect(rows).toEqual([['www.google.com', 14, 28], ['www.logcasts.com', 16, 32]]);
  });

  it('drops rows whose where condition is null or false, and ANDs comma-separated conditions', async () => {
    const { rows } = await collect('from demo.ecommerce.data where bytes > 1, statusCode = 200 select referralUri');
    expect(rows).toEqual([['http://www.google.com/product.screen?x=1'], ['https://www.bing.com/']]);
  });

  it('returns all table columns without select, and with select *', async () => {
    expect((await collect('from demo.ecommerce.data')).columns.map((column) => column.name)).toEqual(['eventdate', 'referralUri', 'statusCode', 'bytes']);
    const { columns } = await collect('from demo.ecommerce.data select *, statusCode + 1 as next');
    expect(columns.map((column) => column.name)).toEqual(['eventdate', 'referralUri', 'statusCode', 'bytes', 'next']);
  });

  it('applies the API range as from <= eventdate < to', async () => {
    const { rows } = await collect('from demo.ecommerce.data select statusCode', {
      from: Date.UTC(2026, 10, 28, 10, 3, 0),
      to: Date.UTC(2026, 10, 28, 11, 0, 0),
    });
    expect(rows).toEqual([[404], [200]]);
  });

  it('groups by keys and time buckets with count, sum, avg, min and max', async () => {
    const { columns, rows } = await collect('from demo.ecommerce.data group every 5m by statusCode select count() as n, sum(bytes) as total, avg(bytes) as mean, min(bytes) as low, max(statusCode) as high, count(bytes) as known');
    expect(columns).toEqual([
      { name: 'eventdate', type: 'timestamp' }, { name: 'statusCode', type: 'int4' }, { name: 'n', type: 'int8' },
      { name: 'total', type: 'float8' }, { name: 'mean', type: 'float8' }, { name: 'low', type: 'float8' },
      { name: 'high', type: 'int4' }, { name: 'known', type: 'int8' },
    ]);
    expect(rows).toEqual([
      [Date.UTC(2026, 10, 28, 10, 0), 200, 1, 1.5, 1.5, 1.5, 200, 1],
      [Date.UTC(2026, 10, 28, 10, 0), 404, 1, null, null, null, 404, 0],
      [Date.UTC(2026, 10, 28, 10, 5), 200, 1, 2.5, 2.5, 2.5, 200, 1],
      [Date.UTC(2026, 10, 28, 11, 0), 500, 1, 4, 4, 4, 500, 1],
    ]);
    const byStatus = await collect('from demo.ecommerce.data group by statusCode select count() as n where n > 1');
    expect(byStatus.rows).toEqual([[200, 2]]);
  });

  it('honours limit', async () => {
    expect((await collect('from demo.ecommerce.data select statusCode limit 2')).rows).toEqual([[200], [404]]);
  });
});

describe('runLinqQuery: launch errors', () => {
  it.each([
    ['from demo.ecommerce.data select lenght(referralUri) as n', 'ERR_SANDBOX_LINQ_UNKNOWN_FUNCTION', 1, 33, /unknown function "lenght" \(did you mean "length"\?\)/],
    ['from demo.ecommerce.data\n  select length(referalUri) as n', 'ERR_SANDBOX_LINQ_UNKNOWN_FIELD', 2, 17, /unknown field "referalUri" \(did you mean "referralUri"\?\)/],
    ['from demo.ecommerce.dta select 1 as x', 'ERR_SANDBOX_LINQ_UNKNOWN_TABLE', 1, 6, /table "demo.ecommerce.dta" not found \(did you mean "demo.ecommerce.data"\?\)/],
    ['from demo.ecommerce.data select length(3.5) as n', 'ERR_SANDBOX_LINQ_TYPE', 1, 40, /length\(\) expects str as argument 1, got float8/],
    ['from demo.ecommerce.data select split(referralUri) as n', 'ERR_SANDBOX_LINQ_ARITY', 1, 33, /split\(\) takes 2 to 3 argument\(s\), got 1/],
    ['from demo.ecommerce.data where length(referralUri) select 1 as x', 'ERR_SANDBOX_LINQ_TYPE', 1, 32, /a where condition must be bool, got int4/],
    ['from demo.ecommerce.data select referralUri + 1 as x', 'ERR_SANDBOX_LINQ_TYPE', 1, 45, /operator "\+" does not apply to str and int4/],
    ['from demo.ecommerce.data select ifthenelse(true, 1, "a") as x', 'ERR_SANDBOX_LINQ_TYPE', 1, 53, /branches have different types/],
    ['from demo.ecommerce.data select count() as n', 'ERR_SANDBOX_LINQ_TYPE', 1, 33, /count\(\) is an aggregate/],
    ['from demo.ecommerce.data select statusCode = "200" as x', 'ERR_SANDBOX_LINQ_TYPE', 1, 44, /cannot compare int4 = str/],
    ['from demo.ecommerce.data select mlevalmodel("self", "nope", [float4(1)]) as x', 'ERR_SANDBOX_MODEL_NOT_FOUND', 1, 53, /model "nope" is not registered in domain "self"/],
  ])('%j fails with %s at %d:%d', async (query, code, line, column, message) => {
    const error = await launchError(query);
    expect(error).toMatchObject({ code, line, column });
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`line ${line}:${column}: `)).toBe(true);
  });
});

describe('runLinqQuery: mlevalmodel', () => {
  /** A model computing [sum, product] of its inputs, counting its batch runs. */
  function sumModel(inputSize: number | undefined): { resolver: ModelResolver; runs: number[] } {
    const runs: number[] = [];
    const model: LoadedModel = {
      name: 'sum',
      inputSize,
      outputSize: 2,
      run: (rows, count) => {
        runs.push(count);
        const width = rows.length / count;
        const output = new Float32Array(count * 2);
        for (let row = 0; row < count; row += 1) {
          let sum = 0;
          let product = 1;
          for (let column = 0; column < width; column += 1) {
            sum += rows[row * width + column] as number;
            product *= rows[row * width + column] as number;
          }
          output[row * 2] = sum;
          output[row * 2 + 1] = product;
        }
        return Promise.resolve(output);
      },
    };
    return { resolver: { resolve: (domain, name) => Promise.resolve(domain === 'self' && name === 'sum' ? model : undefined) }, runs };
  }

  it('runs the model once per batch and returns float4 arrays; null features give null', async () => {
    const { resolver, runs } = sumModel(2);
    const { columns, rows } = await collect(
      'from demo.ecommerce.data select mlevalmodel("self", "sum", [float4(statusCode), float4(bytes)]) as out, at(out, 0) as total, ifthenelse(total > 300, "high", "low") as level',
      { models: resolver },
    );
    expect(columns.map((column) => column.type)).toEqual(['float4[]', 'float4', 'str']);
    expect(rows).toEqual([
      [[201.5, 300], 201.5, 'low'],
      [null, null, 'low'],
      [[202.5, 500], 202.5, 'low'],
      [[504, 2000], 504, 'high'],
    ]);
    expect(runs).toEqual([3]);
  });

  it('rejects a feature array of the wrong length at launch (the tutorial two-feature bug)', async () => {
    const error = await launchError('from demo.ecommerce.data select at(mlevalmodel("self", "sum", [float4(statusCode), float4(bytes)]), 0) as x', sumModel(3).resolver);
    expect(error.code).toBe('ERR_SANDBOX_MODEL_MISMATCH');
    expect(error.message).toMatch(/line 1:63: mlevalmodel\(\): model "sum" expects 3 features per row .*but the array has 2/);
  });

  it('rejects features that are not an array of float4', async () => {
    const error = await launchError('from demo.ecommerce.data select mlevalmodel("self", "sum", [float(statusCode), bytes]) as x', sumModel(2).resolver);
    expect(error).toMatchObject({ code: 'ERR_SANDBOX_LINQ_TYPE', line: 1, column: 60 });
    expect(error.message).toMatch(/expects an array of float4 elements as argument 3, got float8\[\]; wrap each feature in float4/);
  });

  it('rejects the scalar H2O form and non-literal model names', async () => {
    expect((await launchError('from demo.ecommerce.data select mlevalmodel("self", "sum", float4(bytes), float4(bytes)) as x', sumModel(2).resolver)).message).toMatch(/scalar-argument form is for H2O models/);
    expect((await launchError('from demo.ecommerce.data select mlevalmodel("self", referralUri, [float4(bytes)]) as x', sumModel(2).resolver)).message).toMatch(/as string literals/);
  });

  it('scores grouped rows batch by batch, each group once', async () => {
    const { resolver, runs } = sumModel(1);
    const result = await runLinqQuery(
      'from demo.ecommerce.data group by statusCode every - select count() as events, at(mlevalmodel("self", "sum", [float4(statusCode)]), 0) as total',
      { tables: { 'demo.ecommerce.data': table }, now, models: resolver, batchSize: 2 },
    );
    const rows: DevoValue[][] = [];
    for await (const row of result.rows) rows.push(row);
    expect(rows).toEqual([[200, 2, 200], [404, 1, 404], [500, 1, 500]]);
    expect(runs).toEqual([2, 1]);
  });

  it('evaluates models inside where conditions', async () => {
    const { resolver } = sumModel(1);
    const { rows } = await collect('from demo.ecommerce.data where at(mlevalmodel("self", "sum", [float4(bytes)]), 0) > 2 select statusCode', { models: resolver });
    expect(rows).toEqual([[200], [500]]);
  });
});
