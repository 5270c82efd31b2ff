import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferralTable, readTableFile, referralUrl } from './tables';

describe('createReferralTable', () => {
  it('turns hosts into referral URLs, adds "-" referrers and spaces eventdate up to endTime', () => {
    const table = createReferralTable(['a.com', 'b.org', 'c.net'], { endTime: 10_000, dashEvery: 2 });
    expect(table.columns).toEqual([{ name: 'eventdate', type: 'timestamp' }, { name: 'referralUri', type: 'str' }]);
    expect(table.rows).toEqual([
      [7000, 'http://a.com/product.screen?product_id=FL-DSH-01&JSESSIONID=SD5SL7FF6ADFF5'],
      [8000, 'http://b.org/category.screen?category_id=GIFTS'],
      [9000, '-'],
      [10_000, 'https://c.net/'],
    ]);
  });

  it('keeps every row within 50 minutes for large inputs', () => {
    const table = createReferralTable(Array.from({ length: 10_000 }, (_, index) => `h${index}.com`), { endTime: 1e12, dashEvery: 0 });
    expect((table.rows[0]?.[0] as number) >= 1e12 - 3_000_000).toBe(true);
    expect(referralUrl('x.com', 4)).toBe('http://x.com/path?x=1');
  });
});

describe('readTableFile', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'devo-sandbox-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reads a CSV with inferred types and parses eventdate', async () => {
    const file = join(folder, 'events.csv');
    await writeFile(file, 'eventdate,referralUri,statusCode,bytes,ok\n2026-01-01 00:00:01,http://a.com/,200,1.5,true\n1767225602,-,404,,false\n');
    const table = await readTableFile(file, { endTime: 0 });
    expect(table.columns).toEqual([
      { name: 'eventdate', type: 'timestamp' }, { name: 'referralUri', type: 'str' }, { name: 'statusCode', type: 'int4' },
      { name: 'bytes', type: 'float8' }, { name: 'ok', type: 'bool' },
    ]);
    expect(table.rows).toEqual([
      [Date.UTC(2026, 0, 1, 0, 0, 1), 'http://a.com/', 200, 1.5, true],
      [1_767_225_602_000, '-', 404, null, false],
    ]);
  });

  it('reads NDJSON and adds eventdate when absent', async () => {
    const file = join(folder, 'events.ndjson');
    await writeFile(file, '{"serverHost":"a.com","n":1}\n\n{"serverHost":"b.org","n":2.5,"extra":"x"}\n');
    const table = await readTableFile(file, { endTime: 5000 });
    expect(table.columns.map((column) => `${column.name}:${column.type}`)).toEqual(['eventdate:timestamp', 'serverHost:str', 'n:float8', 'extra:str']);
    expect(table.rows).toEqual([[4000, 'a.com', 1, null], [5000, 'b.org', 2.5, 'x']]);
  });

  it('turns a labelled host;domain;class;subclass CSV into a referral table', async () => {
    const file = join(folder, 'labelled.csv');
    await writeFile(file, 'host;domain;class;subclass\nwww.bbc.co.uk;bbc;legit;legit\ngacyhuw.com;gacyhuw;dga;simda\n');
    const table = await readTableFile(file, { endTime: 2000 });
    expect(table.rows.map((row) => row[1])).toEqual([referralUrl('www.bbc.co.uk', 0), referralUrl('gacyhuw.com', 1)]);
  });

  it('names the file and line of a bad eventdate', async () => {
    const file = join(folder, 'bad.csv');
    await writeFile(file, 'eventdate,x\nyesterday,1\n');
    await expect(readTableFile(file, { endTime: 0 })).rejects.toThrow(/bad\.csv:2: eventdate "yesterday" is not a date/);
  });
});
