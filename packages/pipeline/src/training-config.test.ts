import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrainingConfigFile, validateTrainingConfig } from './training-config';

describe('training config', () => {
  it('resolves relative paths against the config file and keeps URLs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dga-config-'));
    const file = join(dir, 'train.json');
    writeFileSync(file, JSON.stringify({ dataset: 'data.csv', out: 'runs/x', epochs: 3, seed: 7, preset: 'tutorial' }));
    expect(loadTrainingConfigFile(file)).toEqual({ dataset: join(dir, 'data.csv'), out: join(dir, 'runs/x'), epochs: 3, seed: 7, preset: 'tutorial' });
    expect(validateTrainingConfig({ dataset: 'https://h/d.csv', out: 'o' }, 'flags', '/base').dataset).toBe('https://h/d.csv');
    expect(validateTrainingConfig({ out: 'o', psl: 'icann' }, 'flags', '/base').psl).toBe('icann');
  });

  it('accepts the dataset skip settings', () => {
    expect(validateTrainingConfig({ out: '/o', strict: true, maxSkippedRows: 0 }, 'train.json', '/base')).toEqual({ out: '/o', strict: true, maxSkippedRows: 0 });
  });

  it.each([
    [{ out: 'o', epochs: 0 }, /"epochs": expected a positive integer, got 0/],
    [{ out: 'o', preset: 'big' }, /"preset" must be one of "tutorial", "default", "ngram", "char", "char-average"/],
    [{ out: 'o', threshold: 2 }, /"threshold" must be a number between 0 and 1/],
    [{ out: 'o', epoch: 3 }, /unknown key "epoch"/],
    [{ out: 'o', psl: 'private' }, /"psl" must be "all" or "icann"/],
    [{ dataset: 'x' }, /"out" \(the run directory\) is required/],
    [{ out: 'o', register: {} }, /"register" must be an object with a non-empty "name"/],
    [{ out: 'o', strict: 'yes' }, /"strict" must be true or false/],
    [{ out: 'o', maxSkippedRows: 1.5 }, /"maxSkippedRows" must be a non-negative integer/],
    [{ out: 'o', targetFpr: 0 }, /"targetFpr" must be a number between 0 and 1 \(exclusive\), e\.g\. 0\.01 for 1 %; got 0/],
    [{ out: 'o', targetFpr: 1 }, /"targetFpr" must be a number between 0 and 1/],
    [{ out: 'o', threshold: 0.5, targetFpr: 0.01 }, /give "threshold" \(a fixed threshold\) or "targetFpr" .*not both/],
    [{ out: 'o', familyHoldout: 'no' }, /"familyHoldout" must be true, false or an object/],
    [{ out: 'o', familyHoldout: { folds: 1 } }, /"familyHoldout.folds" must be at least 2/],
    [{ out: 'o', familyHoldout: { fold: 3 } }, /unknown key "familyHoldout.fold"/],
    [{ out: 'o', familyHoldout: { legitTrainFraction: 0 } }, /"familyHoldout.legitTrainFraction" must be a number in \(0, 1\]/],
    [{ out: 'o', query: { tabel: 'my.table' } }, /unknown key "query\.tabel" \(known: table, field, fieldKind, domain, modelName\)/],
    [{ out: 'o', query: { table: 3 } }, /"query\.table" must be a non-empty string/],
    [{ out: 'o', query: { fieldKind: 'ip' } }, /"query\.fieldKind" must be "url" or "host"/],
  ])('rejects %j with a message naming the key', (raw, pattern) => {
    expect(() => validateTrainingConfig(raw, 'train.json', '/base')).toThrow(pattern);
  });

  it('accepts a target false-positive rate and the family-held-out settings', () => {
    expect(validateTrainingConfig({ out: '/o', targetFpr: 0.001, familyHoldout: false }, 'train.json', '/base')).toEqual({ out: '/o', targetFpr: 0.001, familyHoldout: false });
    expect(validateTrainingConfig({ out: '/o', familyHoldout: { folds: 3, maxTrainRowsPerFamily: null } }, 'train.json', '/base').familyHoldout).toEqual({ folds: 3, maxTrainRowsPerFamily: null });
  });

  it('names the file and the key, never an app flag (the app maps its flags)', () => {
    expect(() => validateTrainingConfig({ dataset: 'x' }, 'train.json', '/base')).toThrow(/^train\.json: "out" \(the run directory\) is required$/);
    expect(() => loadTrainingConfigFile('/nonexistent/train.json')).toThrow(/^\/nonexistent\/train\.json: cannot read it \(ENOENT\)$/);
  });

  it('names the file when it is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dga-config-'));
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect(() => loadTrainingConfigFile(join(dir, 'bad.json'))).toThrow(/bad.json: not valid JSON/);
  });
});
