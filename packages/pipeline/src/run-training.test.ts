import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireSharedData, sharedDataFile } from '@dga/test-support';
import { loadModel } from '@dga/model';
import { readOnnxModelInfo } from '@dga/onnx-export';
import { runTraining, type TrainingEvent, type TrainingRunResult } from './run-training';

const skip = requireSharedData('sample-small.csv');

/** Chromium for the report check: required in CI, skipped with a reason elsewhere. */
function findChromium(): string | undefined {
  for (const candidate of [process.env['DGA_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (candidate !== undefined && existsSync(candidate)) return candidate;
  }
  return undefined;
}
const chromium = findChromium();
const chromiumSkip = chromium === undefined ? 'skipped: no chromium (apt-get install chromium, or set DGA_CHROMIUM)' : undefined;
if (chromiumSkip !== undefined && (process.env['CI'] === 'true' || process.env['CI'] === '1')) {
  throw new Error('CI must have chromium for the report test (.ci/run installs it)');
}

describe.skipIf(skip)('runTraining on sample-small.csv', () => {
  const parent = mkdtempSync(join(tmpdir(), 'dga-trainer-'));
  let first: TrainingRunResult;
  let second: TrainingRunResult;
  let icann: TrainingRunResult;
  const events: TrainingEvent[] = [];

  beforeAll(async () => {
    const config = { dataset: sharedDataFile('sample-small.csv'), epochs: 2, cacheDir: join(parent, 'cache') };
    first = await runTraining({ ...config, out: join(parent, 'a') }, { onEvent: (event) => events.push(event) });
    // The second run also registers, with the Model Manager gone: the run is kept and reported.
    const registrar = { addModel: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')) };
    second = await runTraining({ ...config, out: join(parent, 'b'), register: { name: 'dga_test' } }, { registrar });
    // Run as from the dataset's folder (the CLI passes where the command was typed): the dataset is recorded relative to it.
    icann = await runTraining({ ...config, epochs: 1, psl: 'icann', out: join(parent, 'icann'), threshold: 0.5, familyHoldout: false }, { runDirectory: { cwd: dirname(config.dataset) } });
  }, 360_000); // three trainings: a few seconds here, ten times that under heavy load

  it('records the PSL mode and, with psl: icann, trains and classifies on ICANN-only labels', () => {
    const metadataOf = (run: string): Record<string, string> =>
      (JSON.parse(readFileSync(join(parent, run, 'model-card.json'), 'utf8')) as { onnx: { metadata: Record<string, string> } }).onnx.metadata;
    expect(metadataOf('a')['dga.psl_mode']).toBe('all');
    expect(metadataOf('icann')['dga.psl_mode']).toBe('icann');
    // The tfjs model's own card records it too, so `dga export` re-creates the same metadata.
    const tfjsCardOf = (run: string): { pslMode?: string } => JSON.parse(readFileSync(join(parent, run, 'tfjs', 'model-card.json'), 'utf8')) as { pslMode?: string };
    expect(tfjsCardOf('icann').pslMode).toBe('icann');
    expect(tfjsCardOf('a').pslMode).toBe('all');
    const labelOf = (result: TrainingRunResult): string | undefined => result.samples.find((sample) => sample.input === 'fizrbzba.dyndns.org')?.label;
    expect(labelOf(first)).toBe('fizrbzba');
    expect(labelOf(icann)).toBe('dyndns');
  });

  it('records the dataset file relative to the directory the user works in, not the process working directory', () => {
    expect(icann.dataset.source).toBe('sample-small.csv');
    expect(first.dataset.source).toBe(relative(process.cwd(), sharedDataFile('sample-small.csv')));
  });

  it('gives the same metrics and the same ONNX bytes for the same seed', () => {
    expect(second.metrics).toEqual(first.metrics);
    expect(readFileSync(join(parent, 'b', 'metrics.json'), 'utf8')).toBe(readFileSync(join(parent, 'a', 'metrics.json'), 'utf8'));
    // Buffer.equals: a deep toEqual over 200 KB of bytes takes seconds on a busy machine.
    expect(readFileSync(join(parent, 'b', 'model.onnx')).equals(readFileSync(join(parent, 'a', 'model.onnx')))).toBe(true);
    expect(first.seed).toBe(42);
  });

  it('writes every artifact and nothing else, with the parity and the backend recorded', () => {
    expect(readdirSync(parent).sort()).toEqual(['a', 'b', 'icann']);
    expect(readdirSync(join(parent, 'a')).sort()).toEqual(['metrics.json', 'model-card.json', 'model.onnx', 'report.html', 'tfjs']);
    const card = JSON.parse(readFileSync(join(parent, 'a', 'model-card.json'), 'utf8')) as Record<string, unknown>;
    // Batch 512: tfjs-node where it loads, else wasm (never the slow cpu fallback; wasm ships as a dependency).
    expect(['tensorflow', 'wasm']).toContain(first.backend.name);
    expect(card['backend']).toBe(first.backend.name);
    expect(card['backendReason']).toBe(first.backend.reason);
    expect(card['seed']).toBe(42);
    expect((card['featureSet'] as { name: string }).name).toBe('bigram');
    expect(first.parity.maxAbsDiff).toBeLessThan(1e-5);
    expect(first.verify.maxAbsDiff).toBeLessThan(1e-5);
    expect(first.samples.map((sample) => sample.label)).toContain('google');
    expect(first.query).toContain('mlevalmodel("self", "dga_classifier_bigram"');
    // Labels come from the hosts; one host of the sample gets another label from today's PSL.
    const read = { skipped: 0, skippedByReason: {}, labelDisagreements: 1, labelsFromDomain: 0 };
    expect(first.dataset).toMatchObject({ rows: 2000, ...read });
    expect((card['data'] as { read: unknown }).read).toEqual(read);
    expect(readFileSync(join(parent, 'a', 'report.html'), 'utf8')).toContain('<dt>skipped lines</dt><dd>none</dd>');
  });

  it('chooses the threshold at 1 % validation false-positive rate and records it in the model and its metrics', () => {
    const metricsFile = JSON.parse(readFileSync(join(parent, 'a', 'metrics.json'), 'utf8')) as Record<string, unknown>;
    const card = JSON.parse(readFileSync(join(parent, 'a', 'model-card.json'), 'utf8')) as { targetFpr: number; onnx: { metadata: Record<string, string> }; metrics: { threshold: number } };
    expect(first.threshold.targetFpr).toBe(0.01);
    expect(first.metrics.threshold).toBe(first.threshold.value);
    expect(first.threshold.value).not.toBe(0.5);
    expect(metricsFile['threshold']).toBe(first.threshold.value);
    expect(metricsFile['targetFpr']).toBe(0.01);
    expect((metricsFile['operatingPoints'] as { targetFpr: number }[]).map((point) => point.targetFpr)).toEqual([0.001, 0.01]);
    expect(card.onnx.metadata['dga.threshold']).toBe(String(first.threshold.value));
    expect(card.onnx.metadata['dga.target_fpr']).toBe('0.01');
    expect(card.targetFpr).toBe(0.01);
    expect(card.metrics.threshold).toBe(first.threshold.value);
    // A given threshold is kept and recorded without a target false-positive rate.
    expect(icann.threshold).toEqual({ value: 0.5, targetFpr: null });
    const icannMetadata = (JSON.parse(readFileSync(join(parent, 'icann', 'model-card.json'), 'utf8')) as { onnx: { metadata: Record<string, string> } }).onnx.metadata;
    expect(icannMetadata['dga.threshold']).toBe('0.5');
    expect(icannMetadata['dga.target_fpr']).toBeUndefined();
  });

  it('evaluates the recipe on held-out DGA families into metrics.json, the model card and the report, unless turned off', () => {
    const metricsFile = JSON.parse(readFileSync(join(parent, 'a', 'metrics.json'), 'utf8')) as { familyHoldout: { status: string; folds: unknown[]; perFamily: Record<string, unknown>; pooled: { rows: { dga: number; legit: number } } } };
    const holdout = metricsFile.familyHoldout;
    expect(holdout.status).toBe('done');
    expect(holdout.folds).toHaveLength(5);
    // sample-small.csv: 37 families, 1,000 DGA and 1,000 legit rows, each scored once.
    expect(Object.keys(holdout.perFamily)).toHaveLength(37);
    expect(holdout.pooled.rows).toEqual({ dga: 1000, legit: 1000 });
    expect(first.familyHoldout).toEqual(holdout);
    expect(first.seconds.holdout).toBeGreaterThan(0);
    const card = JSON.parse(readFileSync(join(parent, 'a', 'model-card.json'), 'utf8')) as { familyHoldout: unknown };
    expect(card.familyHoldout).toEqual(holdout);
    const report = readFileSync(join(parent, 'a', 'report.html'), 'utf8');
    expect(report).toContain('<h2>Family-held-out evaluation</h2>');
    expect(report).toContain('TPR at 1 % FPR');
    expect(icann.familyHoldout).toEqual({ status: 'skipped', reason: 'turned off' });
    expect(readFileSync(join(parent, 'icann', 'report.html'), 'utf8')).toContain('<p>Skipped: turned off.</p>');
  });

  it('keeps the run and reports the error when registration fails after training', () => {
    expect(first.registered).toBe(false);
    expect(first.registerError).toBeUndefined();
    expect(second.registered).toBe(false);
    expect(second.registerError?.message).toBe('connect ECONNREFUSED 127.0.0.1:9');
    expect(second.modelName).toBe('dga_test');
    expect(second.artifacts.onnx).toBe(join(parent, 'b', 'model.onnx'));
    expect(readdirSync(join(parent, 'b')).sort()).toEqual(['metrics.json', 'model-card.json', 'model.onnx', 'report.html', 'tfjs']);
  });

  it('reports its stages and epochs through onEvent', () => {
    const stages = events.filter((event) => event.type === 'stage').map((event) => (event as { stage: string }).stage);
    expect(stages).toEqual(['backend', 'dataset', 'train', 'evaluate', 'holdout', 'export', 'verify', 'write', 'report']);
    expect(events.filter((event) => event.type === 'holdout-fold').map((event) => (event as { fold: { fold: number } }).fold.fold)).toEqual([1, 2, 3, 4, 5]);
    expect(events.filter((event) => event.type === 'epoch-end')).toHaveLength(2);
    expect(events.some((event) => event.type === 'backend')).toBe(true);
    const writes = events.filter((event) => event.type === 'run-write').map((event) => (event as { file: string }).file);
    expect(writes).toEqual(['model.onnx', 'tfjs', 'model-card.json', 'metrics.json', 'report.html', '.']);
  });

  it('leaves nothing behind when aborted', async () => {
    const controller = new AbortController();
    const out = join(parent, 'aborted');
    const run = runTraining(
      { dataset: sharedDataFile('sample-small.csv'), epochs: 50, out },
      { signal: controller.signal, onEvent: (event) => event.type === 'epoch-end' && controller.abort() },
    );
    await expect(run).rejects.toThrow();
    expect(readdirSync(parent).filter((name) => name.includes('aborted'))).toEqual([]);
  }, 120_000);

  it.skipIf(chromiumSkip)('renders report.html in headless Chromium with non-empty SVG charts', () => {
    const report = join(parent, 'a', 'report.html');
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const profile = mkdtempSync(join(tmpdir(), 'dga-chromium-'));
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`];
    const dom = spawnSync(chromium!, [...flags, '--dump-dom', `file://${report}`], { encoding: 'utf8', timeout: 60_000 });
    expect(dom.status, dom.stderr).toBe(0);
    const svgs = dom.stdout.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    // Loss, accuracy, ROC, confusion matrix, per-family recall, family-held-out recall and five feature distributions.
    expect(svgs.length).toBe(11);
    for (const svg of svgs) {
      expect(svg).toMatch(/class="mark-/);
      expect(svg).toMatch(/<path [^>]*d="M[\d.-]+/);
    }
    const screenshot = join(profile, 'report.png');
    const shot = spawnSync(chromium!, [...flags, `--screenshot=${screenshot}`, '--window-size=1280,2400', `file://${report}`], { encoding: 'utf8', timeout: 60_000 });
    expect(shot.status, shot.stderr).toBe(0);
    const png = readFileSync(screenshot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // A blank 1280×2400 page compresses to a few KB; charts and text make it far larger.
    expect(png.length).toBeGreaterThan(80_000);
  }, 120_000);
});

describe.skipIf(skip)('runTraining interrupted while it writes the run directory', () => {
  const parent = mkdtempSync(join(tmpdir(), 'dga-trainer-abort-'));

  // The abort fires as each file is about to be written (and before the final rename); tfjs/ is
  // written through saveModel, the others directly. An earlier version removed the folder while
  // the writes went on: it left partial folders, or rejected unhandled with ENOTEMPTY.
  it.each(['model.onnx', 'tfjs', 'model-card.json', 'metrics.json', 'report.html', '.'])(
    'at %s: rejects, keeps the previous run as it was and leaves no temporary folder',
    async (file) => {
      const out = join(parent, `run-${file === '.' ? 'rename' : file}`);
      mkdirSync(out);
      writeFileSync(join(out, 'model.onnx'), 'previous');
      writeFileSync(join(out, 'model-card.json'), JSON.stringify({ producedBy: '@dga/trainer previous' }));
      const controller = new AbortController();
      const run = runTraining(
        { dataset: sharedDataFile('sample-small.csv'), epochs: 1, out, cacheDir: join(parent, 'cache'), familyHoldout: false },
        { signal: controller.signal, onEvent: (event) => event.type === 'run-write' && event.file === file && controller.abort(new Error('interrupted')) },
      );
      await expect(run).rejects.toThrow();
      expect(controller.signal.aborted).toBe(true);
      expect(readdirSync(parent).filter((name) => name.startsWith('.'))).toEqual([]);
      expect(readdirSync(out).sort()).toEqual(['model-card.json', 'model.onnx']);
      expect(readFileSync(join(out, 'model.onnx'), 'utf8')).toBe('previous');
    },
    60_000,
  );
});

describe.skipIf(skip)('runTraining with the char preset on sample-small.csv', () => {
  const parent = mkdtempSync(join(tmpdir(), 'dga-trainer-char-'));
  let run: TrainingRunResult;

  beforeAll(async () => {
    run = await runTraining({ dataset: sharedDataFile('sample-small.csv'), preset: 'char', epochs: 1, cacheDir: join(parent, 'cache'), out: join(parent, 'run') });
  }, 360_000); // six trainings of a two-branch network (the run and five family folds)

  it('trains, evaluates on held-out families, exports one-input ONNX with parity and a char query, and saves a reloadable model', async () => {
    expect(run.preset).toBe('char');
    expect(run.featureSet).toBe('char');
    expect(run.familyHoldout.status).toBe('done');
    expect(run.parity.maxAbsDiff).toBeLessThan(1e-5);
    expect(run.verify.maxAbsDiff).toBeLessThan(1e-5);
    const info = readOnnxModelInfo(readFileSync(join(parent, 'run', 'model.onnx')));
    expect(info.inputSize).toBe(266);
    expect(info.metadata['dga.feature_set']).toBe('char');
    expect(JSON.parse(info.metadata['dga.feature_linq_constants'] ?? '{}')).toEqual({ char_alphabet: 'abcdefghijklmnopqrstuvwxyz0123456789-' });
    expect(run.query).toContain('"abcdefghijklmnopqrstuvwxyz0123456789-" as char_alphabet');
    expect(run.query.match(/locate\(char_alphabet,/g)).toHaveLength(2 * 24);
    const loaded = await loadModel(join(parent, 'run', 'tfjs'));
    expect(loaded.card.preset).toBe('char');
    expect(loaded.model.layers.map((layer) => layer.getClassName())).toContain('CharacterWindows');
    loaded.model.dispose();
  });
});
