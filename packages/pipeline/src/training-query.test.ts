import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTraining } from './run-training';
import { TrainingConfigError } from './training-config';
import { buildTrainingQuery } from './training-query';

describe('buildTrainingQuery', () => {
  it('builds the query of the config, named after register.name, else query.modelName, else the feature set', () => {
    expect(buildTrainingQuery({ query: { table: 'my.app.table', field: 'srcHost', fieldKind: 'host' } }, 'tutorial', 0.5)).toMatch(
      /^from my\.app\.table\n {2}select split\(rootsuffix\(lower\(srcHost\)\), "\.", 0\) as label\n[\s\S]*mlevalmodel\("self", "dga_classifier_tutorial"/,
    );
    expect(buildTrainingQuery({ query: { modelName: 'q' }, register: { name: 'r' } }, 'tutorial', 0.5)).toContain('mlevalmodel("self", "r"');
    expect(buildTrainingQuery({ query: { modelName: 'q', domain: 'acme' } }, 'tutorial', 0.5)).toContain('mlevalmodel("acme", "q"');
  });

  it.each([
    [{ query: { table: 'bad table' } }, /^"query\.table": Invalid table "bad table": use a dotted Devo table name/],
    [{ query: { field: 'a b' } }, /^"query\.field": Invalid field "a b"/],
    [{ query: { domain: 'x"y' } }, /^"query\.domain": Invalid domain/],
    [{ query: { modelName: 'x"y' } }, /^"query\.modelName": Invalid modelName/],
    [{ register: { name: 'x"y' } }, /^"register\.name": Invalid modelName/],
  ])('refuses %j with a TrainingConfigError naming the config key', (config, message) => {
    expect(() => buildTrainingQuery(config, 'bigram', 0.5)).toThrowError(message);
    expect(() => buildTrainingQuery(config, 'bigram', 0.5)).toThrowError(expect.objectContaining({ code: 'ERR_TRAINER_CONFIG' }));
  });
});

describe('runTraining with a query setting the LINQ cannot hold', () => {
  it('fails before any work (no dataset read, no run directory), not after the training', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dga-query-config-'));
    const dataset = join(parent, 'data.csv');
    writeFileSync(dataset, 'host;domain;class;subclass\ngoogle.com;google;legit;legit\n');
    const out = join(parent, 'run');
    const events: string[] = [];
    const run = runTraining({ dataset, out, query: { table: 'bad table' } }, { onEvent: (event) => events.push(event.type) });
    await expect(run).rejects.toSatisfy((error: unknown) => TrainingConfigError.isInstance(error) && /"query\.table": Invalid table/.test((error as Error).message));
    expect(events).toEqual([]);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
