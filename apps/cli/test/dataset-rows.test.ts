import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, type InProcessRun } from './run-cli-in-process';

const run = runCliInProcess;

/**
 * `train` and `evaluate` read what `classify` reads: the label computed from the host (any case),
 * classes in any case; skipped lines are reported everywhere and too many of them fail the run.
 */
describe.skipIf(requireSharedData('sample-small.csv'))('dataset rows in train and evaluate', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dga-dataset-rows-'));
  const sample = sharedDataFile('sample-small.csv');
  let trained: InProcessRun;
  const benignLines: number[] = [];

  beforeAll(async () => {
    const [header, ...lines] = readFileSync(sample, 'utf8').trimEnd().split('\n');
    writeFileSync(join(cwd, 'upper.csv'), [header, ...lines.map((line) => line.toUpperCase())].join('\n') + '\n');
    // Classes in other spellings: LEGIT / " Legit " / DGA are read as legit and dga; 300 legit
    // rows say "benign", which is not guessed at: 15 % of the lines are skipped.
    let legit = 0;
    const mixed = lines.map((line, index) => {
      const fields = line.split(';');
      if (fields[2] === 'dga') fields[2] = index % 2 === 0 ? 'DGA' : ' dga ';
      else {
        legit += 1;
        if (legit <= 300) {
          fields[2] = 'benign';
          benignLines.push(index + 2);
        } else fields[2] = legit % 2 === 0 ? 'LEGIT' : ' Legit ';
      }
      return fields.join(';');
    });
    writeFileSync(join(cwd, 'mixed.csv'), [header, ...mixed].join('\n') + '\n');
    trained = await run(['train', '--dataset', 'mixed.csv', '--epochs', '1', '--out', 'run', '--json', '--quiet', '--max-skipped-rows', '300'], cwd);
  }, 180_000);

  it('fails a training run in which more than 10 % of the lines are skipped, naming counts, reasons, lines and the flag', async () => {
    const result = await run(['train', '--dataset', 'mixed.csv', '--epochs', '1', '--out', 'refused', '--quiet'], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('mixed.csv: 300 of 2000 data lines were skipped as malformed (15.0 %), more than 10 % (maxSkippedFraction)');
    expect(result.stderr).toContain(`invalid-class 300 (lines ${benignLines.slice(0, 3).join(', ')}, ...)`);
    expect(result.stderr).toContain('pass --max-skipped-rows 300');
    expect(existsSync(join(cwd, 'refused'))).toBe(false);
  }, 120_000);

  it('with --max-skipped-rows trains on the rest and reports the skipped lines in --json, metrics.json, the model card and report.html', () => {
    expect(trained.code, trained.stderr).toBe(0);
    const result = JSON.parse(trained.stdout) as { dataset: Record<string, unknown> };
    const read = { skipped: 300, skippedByReason: { 'invalid-class': 300 }, labelDisagreements: 1, labelsFromDomain: 0 };
    expect(result.dataset).toMatchObject({ rows: 1700, ...read });
    const metrics = JSON.parse(readFileSync(join(cwd, 'run', 'metrics.json'), 'utf8')) as { dataset: unknown };
    expect(metrics.dataset).toEqual(read);
    const card = JSON.parse(readFileSync(join(cwd, 'run', 'model-card.json'), 'utf8')) as { data: { read: unknown; rows: number } };
    expect(card.data.read).toEqual(read);
    expect(card.data.rows).toBe(1700);
    const report = readFileSync(join(cwd, 'run', 'report.html'), 'utf8');
    expect(report).toContain('<dt>skipped lines</dt><dd>300 (invalid-class 300)</dd>');
    expect(report).toContain('1 differ from the domain column, 0 taken from it');
  });

  it('evaluates an upper-case copy of the data exactly like the original', async () => {
    const original = await run(['evaluate', '--model', 'run/model.onnx', '--dataset', sample, '--json', '--quiet'], cwd);
    const upper = await run(['evaluate', '--model', 'run/model.onnx', '--dataset', 'upper.csv', '--json', '--quiet'], cwd);
    expect(original.code, original.stderr).toBe(0);
    expect(upper.code, upper.stderr).toBe(0);
    const { dataset: _original, ...expected } = JSON.parse(original.stdout) as Record<string, unknown>;
    const { dataset: _upper, ...actual } = JSON.parse(upper.stdout) as Record<string, unknown>;
    expect(actual).toEqual(expected);
    expect(actual).toMatchObject({ rows: 2000, skipped: 0, labelDisagreements: 1 });
  }, 120_000);

  it('evaluate reports skipped lines by reason, and --strict stops at the first one', async () => {
    const allowed = await run(['evaluate', '--model', 'run', '--dataset', 'mixed.csv', '--max-skipped-rows', '300', '--quiet'], cwd);
    const strict = await run(['evaluate', '--model', 'run', '--dataset', 'mixed.csv', '--strict', '--quiet'], cwd);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('1,700 rows of mixed.csv');
    expect(allowed.stdout).toContain('300 lines skipped (invalid-class 300)');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`mixed.csv:${benignLines[0]}: class "benign" is neither "legit" nor "dga"`);
  }, 120_000);
});
