/**
 * Family-held-out comparison of training recipes on ../shared/data/dga-training.csv: group k-fold
 * over the DGA families (`subclass`), legit rows split into the same number of folds by a hash of
 * their label. Fold f trains without its families and without its legit rows (both go to the
 * test split through `testKeys`), so every scored DGA row belongs to a family the model never
 * saw, and every legit row is scored by the one fold that held it out. Scores are pooled over the
 * folds. Deterministic: the same arguments give the same figures (wasm backend, fixed seed).
 *
 * Prints, per recipe: pooled ROC AUC (all DGA rows are unseen families, so this is the
 * unseen-family AUC), TPR at 1 % and 0.1 % FPR, the mean per-fold AUC and the weakest families'
 * recall at the 1 %-FPR threshold, and the mean milliseconds per optimizer step; with `--split`, also
 * the F1, AUC, training seconds and ms/step of the ordinary seeded split.
 *
 * Run (in packages/model):
 *   node --conditions=@dga/source --import tsx bench/family-held-out.bench.ts \
 *     [--recipes default/bigram,default/ngram,char/char] [--folds 5] [--legit-share 0.3] [--per-family 1000] [--epochs N] [--split]
 * `--out FILE` (relative to this folder) also writes the arguments, the machine and the figures as JSON.
 * A recipe is `preset/featureSet`, optionally `+legitWeightK` (each training legit row repeated K
 * times: class weighting at the data level). Ranking runs use the subsample options; the final
 * figures use `--legit-share 1 --per-family 0` (0 = no cap).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { machineInfo, writeTextAtomic } from '@dga/bench';
import { readDataset } from '@dga/dataset';
import { featureSetNames, type FeatureSetName } from '@dga/features';
import { sharedDataFile } from '@dga/test-support';
import { computeMetrics, presetNames, streamTrainingExamples, trainModel, type PresetName, type TrainingExample } from '../src/index';

interface Recipe {
  readonly name: string;
  readonly preset: PresetName;
  readonly featureSet: FeatureSetName;
  readonly legitWeight: number;
}

const { values } = parseArgs({
  options: {
    recipes: { type: 'string', default: 'default/bigram' },
    folds: { type: 'string', default: '5' },
    'legit-share': { type: 'string', default: '0.3' },
    'per-family': { type: 'string', default: '1000' },
    epochs: { type: 'string' },
    seed: { type: 'string', default: '42' },
    split: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const folds = Number(values.folds);
const legitShare = Number(values['legit-share']);
const perFamily = Number(values['per-family']);
const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
const seed = Number(values.seed);

function parseRecipe(text: string): Recipe {
  const [base = '', weight] = text.split('+legitWeight');
  const [preset, featureSet] = base.split('/') as [PresetName, FeatureSetName];
  if (!presetNames.includes(preset) || !featureSetNames.includes(featureSet)) throw new Error(`bad recipe "${text}": use preset/featureSet[+legitWeightK]`);
  return { name: text, preset, featureSet, legitWeight: weight === undefined ? 1 : Number(weight) };
}

/** FNV-1a of a string, as an unsigned 32-bit integer: a stable row → fold hash. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) value = Math.imul(value ^ text.charCodeAt(index), 0x01000193);
  return value >>> 0;
}

/** Families assigned to folds greedily, largest first, each to the fold with the fewest rows so far. */
function assignFamilies(counts: Map<string, number>): Map<string, number> {
  const totals = new Array<number>(folds).fill(0);
  const assignment = new Map<string, number>();
  for (const [family, count] of [...counts].sort((left, right) => right[1] - left[1] || (left[0] < right[0] ? -1 : 1))) {
    const fold = totals.indexOf(Math.min(...totals));
    assignment.set(family, fold);
    totals[fold]! += count;
  }
  return assignment;
}

/** The subsampled rows of a feature set: `perFamily` first rows per family, `legitShare` of legit by hash. */
async function loadRows(featureSet: FeatureSetName): Promise<TrainingExample[]> {
  const rows: TrainingExample[] = [];
  const perFamilyCount = new Map<string, number>();
  for await (const example of streamTrainingExamples(readDataset(sharedDataFile('dga-training.csv')), featureSet)) {
    if (example.label === 0) {
      if ((hash(`legit-sample:${example.key}`) % 10_000) / 10_000 < legitShare) rows.push(example);
    } else {
      const count = perFamilyCount.get(example.subclass) ?? 0;
      if (perFamily === 0 || count < perFamily) rows.push(example);
      perFamilyCount.set(example.subclass, count + 1);
    }
  }
  return rows;
}

/** TPR at the threshold that lets at most `fpr` of the legit rows through (scores strictly above it). */
function tprAtFpr(legit: Float32Array, dga: Float32Array, fpr: number): { tpr: number; threshold: number } {
  const sorted = Float32Array.from(legit).sort().reverse();
  const allowed = Math.floor(fpr * sorted.length);
  const threshold = sorted[Math.min(allowed, sorted.length - 1)]!;
  let hits = 0;
  for (const score of dga) if (score > threshold) hits += 1;
  return { tpr: hits / dga.length, threshold };
}

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}

/** Repeats each training legit row `weight` times (test rows once). */
function weighted(rows: readonly TrainingExample[], weight: number, testKeys: ReadonlySet<string>): TrainingExample[] {
  if (weight === 1) return [...rows];
  const out: TrainingExample[] = [];
  for (const row of rows) {
    const copies = row.label === 0 && !testKeys.has(row.key) ? weight : 1;
    for (let copy = 0; copy < copies; copy += 1) out.push(row);
  }
  return out;
}

async function runRecipe(recipe: Recipe, rows: readonly TrainingExample[]): Promise<Record<string, unknown>> {
  const familyCounts = new Map<string, number>();
  for (const row of rows) if (row.label === 1) familyCounts.set(row.subclass, (familyCounts.get(row.subclass) ?? 0) + 1);
  const assignment = assignFamilies(familyCounts);
  const legitScores: number[] = [];
  const dgaScores: number[] = [];
  const dgaFamilies: string[] = [];
  const foldAucs: number[] = [];
  const msPerStep: number[] = [];
  const started = performance.now();
  for (let fold = 0; fold < folds; fold += 1) {
    const testKeys = new Set<string>();
    for (const row of rows) {
      const held = row.label === 1 ? assignment.get(row.subclass) === fold : hash(`legit-fold:${row.key}`) % folds === fold;
      if (held) testKeys.add(row.key);
    }
    // A label shared by a held-out family and a training row would leak; it goes to test for both.
    const foldRows = weighted(rows, recipe.legitWeight, testKeys);
    const result = await trainModel({ preset: recipe.preset, featureSet: recipe.featureSet, examples: () => foldRows, testKeys, seed, ...(epochs === undefined ? {} : { epochs }) });
    result.model.dispose();
    msPerStep.push(result.msPerStep);
    const { scores, labels, families } = result.test;
    const foldScores: number[] = [];
    const foldLabels: number[] = [];
    scores.forEach((score, index) => {
      const family = families[index]!;
      // Only held-out families (and legit) count: a training family's row in test shares a label.
      if (labels[index] === 1 && assignment.get(family) !== fold) return;
      foldScores.push(score);
      foldLabels.push(labels[index]!);
      if (labels[index] === 1) {
        dgaScores.push(score);
        dgaFamilies.push(family);
      } else legitScores.push(score);
    });
    const auc = computeMetrics({ scores: foldScores, labels: foldLabels }).rocAuc;
    foldAucs.push(auc ?? Number.NaN);
    console.error(`  ${recipe.name} fold ${fold + 1}/${folds}: AUC ${auc?.toFixed(4)}, epochs ${result.history.length}, ${result.seconds.toFixed(1)} s`);
  }
  const legit = Float32Array.from(legitScores);
  const dga = Float32Array.from(dgaScores);
  const pooled = computeMetrics({ scores: [...legitScores, ...dgaScores], labels: [...legitScores.map(() => 0), ...dgaScores.map(() => 1)] });
  const at1 = tprAtFpr(legit, dga, 0.01);
  const at01 = tprAtFpr(legit, dga, 0.001);
  const recallByFamily = new Map<string, { hits: number; count: number }>();
  dgaFamilies.forEach((family, index) => {
    const entry = recallByFamily.get(family) ?? { hits: 0, count: 0 };
    entry.count += 1;
    if (dga[index]! > at1.threshold) entry.hits += 1;
    recallByFamily.set(family, entry);
  });
  const weakest = [...recallByFamily].map(([family, entry]) => [family, entry.hits / entry.count] as const).sort((left, right) => left[1] - right[1]).slice(0, 6);
  const out: Record<string, unknown> = {
    recipe: recipe.name,
    rows: rows.length,
    heldOutAuc: round(pooled.rocAuc ?? Number.NaN),
    tprAt1: round(at1.tpr),
    tprAt01: round(at01.tpr),
    meanFoldAuc: round(foldAucs.reduce((sum, value) => sum + value, 0) / folds),
    legitFlaggedAt05: round(legitScores.filter((score) => score >= 0.5).length / legitScores.length),
    weakestAt1: weakest.map(([family, recall]) => `${family} ${recall.toFixed(2)}`).join(', '),
    seconds: round((performance.now() - started) / 1000, 1),
    msPerStep: round(msPerStep.reduce((sum, value) => sum + value, 0) / folds, 1),
  };
  if (values.split) {
    const splitRows = await loadAllRows(recipe.featureSet);
    const result = await trainModel({ preset: recipe.preset, featureSet: recipe.featureSet, examples: () => weighted(splitRows, recipe.legitWeight, new Set()), seed });
    result.model.dispose();
    const metrics = computeMetrics(result.test);
    out['splitF1'] = round(metrics.f1);
    out['splitAuc'] = round(metrics.rocAuc ?? Number.NaN);
    out['splitSeconds'] = round(result.seconds, 1);
    out['splitMsPerStep'] = round(result.msPerStep, 1);
  }
  return out;
}

async function loadAllRows(featureSet: FeatureSetName): Promise<TrainingExample[]> {
  const rows: TrainingExample[] = [];
  for await (const example of streamTrainingExamples(readDataset(sharedDataFile('dga-training.csv')), featureSet)) rows.push(example);
  return rows;
}

await import('@tensorflow/tfjs-backend-wasm');
if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialize');
const recipes = values.recipes.split(',').map(parseRecipe);
const cache = new Map<FeatureSetName, TrainingExample[]>();
const figures: Record<string, unknown>[] = [];
for (const recipe of recipes) {
  const rows = cache.get(recipe.featureSet) ?? (await loadRows(recipe.featureSet));
  cache.set(recipe.featureSet, rows);
  figures.push(await runRecipe(recipe, rows));
  console.log(JSON.stringify(figures.at(-1)));
}
if (values.out !== undefined) {
  const file = join(dirname(fileURLToPath(import.meta.url)), values.out);
  writeTextAtomic(file, `${JSON.stringify({ arguments: { folds, legitShare, perFamily, epochs: epochs ?? 'preset', seed }, machine: machineInfo(), figures }, null, 2)}\n`);
}
