import * as tf from '@tensorflow/tfjs';
import { createQueryClient, QueryHttpError } from '@dga/devo-query';
import { createMlmmClient } from '@dga/mlmm-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevoSandbox, type DevoSandbox } from '../src/devo-sandbox';
import { createReferralTable, DEMO_TABLE } from '../src/tables';
import { tinyOnnxModel } from './tiny-onnx-model';

const now = Date.UTC(2026, 10, 28, 23, 40, 0);
const hosts = ['www.google.com', 'www.bing.com', 'gacyhuw.com', 'www.bbc.co.uk', 'fizrbzba.dyndns.org'];

describe('startDevoSandbox', () => {
  let sandbox: DevoSandbox;
  beforeAll(async () => {
    sandbox = await startDevoSandbox({
      tables: { [DEMO_TABLE]: createReferralTable(hosts, { endTime: now - 60_000, dashEvery: 2 }) },
      token: 'test-token',
      now: () => now,
    });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const client = () => createQueryClient({ url: sandbox.queryUrl, auth: { type: 'token', token: sandbox.token }, retry: { limit: 0 } });

  async function rows(query: string, from = now - 3_600_000): Promise<unknown[][]> {
    const result: unknown[][] = [];
    for await (const row of client().query({ query, from, to: now, rowShape: 'array' })) result.push(row);
    return result;
  }

  it('serves both APIs on 127.0.0.1 with the one token', () => {
    expect(sandbox.mlmmUrl).toBe(`${sandbox.queryUrl}/mlmodelmanager`);
    expect(sandbox.queryUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.token).toBe('test-token');
  });

  it('evaluates LINQ through the Query API, `-` referrers included', async () => {
    expect(await rows(`from ${DEMO_TABLE} select split(referralUri, "/", 2) as host, rootdomain(host) as label`)).toEqual([
      ['www.google.com', 'google'],
      ['www.bing.com', 'bing'],
      [null, null],
      ['gacyhuw.com', 'gacyhuw'],
      ['www.bbc.co.uk', 'bbc'],
      [null, null],
      ['fizrbzba.dyndns.org', 'fizrbzba'],
    ]);
  });

  it('applies the API range as from <= eventdate < to', async () => {
    expect(await rows(`from ${DEMO_TABLE} select referralUri`, now - 61_000)).toHaveLength(2);
  });

  it('answers a launch error with 500 "Error Launching Query", the line:column and the offset', async () => {
    const error = await rows(`from ${DEMO_TABLE}\n select lenght(referralUri) as n`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryHttpError);
    expect((error as QueryHttpError).status).toBe(500);
    expect((error as QueryHttpError).serverMessage).toBe(
      'Error Launching Query: line 2:9: unknown function "lenght" (did you mean "length"?) (at position 33)',
    );
  });

  it('prefixes syntax errors with the ParseException Devo echoes', async () => {
    const error = await rows(`from ${DEMO_TABLE} select length(referralUri as n`).catch((caught: unknown) => caught);
    expect((error as QueryHttpError).serverMessage).toMatch(/^Error Launching Query: com\.devo\.malote\.syntax\.ParseException: line 1:52: Encountered "as"/);
  });

  it('runs a model registered through the Model Manager client, batch-wise, like tfjs', async () => {
    const { bytes, model } = await tinyOnnxModel(2);
    const mlmm = createMlmmClient({ url: sandbox.mlmmUrl, token: sandbox.token });
    await mlmm.addModel('tiny', 'ONNX', bytes, { description: 'sandbox test' });
    const result = await rows(
      `from ${DEMO_TABLE} select split(referralUri, "/", 2) as host, float4(length(host)) as n, float4(countbyfilter(host, "aeiou")) as v, mlevalmodel("self", "tiny", [n, v]) as out, at(out, 1) as p`,
    );
    const scored = result.filter((row) => row[0] !== null);
    const inputs = tf.tensor2d(scored.map((row) => [row[1] as number, row[2] as number]));
    const expected = (model.predict(inputs) as tf.Tensor).arraySync() as number[][];
    scored.forEach((row, index) => {
      expect((row[3] as number[])[0]).toBeCloseTo(expected[index]?.[0] as number, 5);
      expect(row[4] as number).toBeCloseTo(expected[index]?.[1] as number, 5);
    });
    expect(result.filter((row) => row[0] === null).every((row) => row[3] === null && row[4] === null)).toBe(true);
  });

  it('rejects a feature-count mismatch and a missing model at launch', async () => {
    const { bytes } = await tinyOnnxModel(3);
    sandbox.mlmm.seedModel({ name: 'three', engine: 'ONNX', bytes });
    const mismatch = await rows(`from ${DEMO_TABLE} select at(mlevalmodel("self", "three", [float4(1), float4(2)]), 0) as p`).catch((caught: unknown) => caught);
    expect((mismatch as QueryHttpError).status).toBe(500);
    expect((mismatch as QueryHttpError).serverMessage).toMatch(/model "three" expects 3 features per row \(input \[-1, 3\]\), but the array has 2/);
    const missing = await rows(`from ${DEMO_TABLE} select at(mlevalmodel("self", "absent", [float4(1)]), 0) as p`).catch((caught: unknown) => caught);
    expect((missing as QueryHttpError).serverMessage).toMatch(/model "absent" is not registered in domain "self"/);
  });
});
