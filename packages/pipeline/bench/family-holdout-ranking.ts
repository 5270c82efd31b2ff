/**
 * Do cheap family-held-out folds rank recipes as full folds do? Runs `evaluateFamilyHoldout` on
 * ../shared/data/dga-training.csv for the `default` preset on three feature sets (tutorial,
 * extended, bigram), once with the protocol `dga train` runs (`DEFAULT_FAMILY_HOLDOUT`) and once
 * with full folds (every row, 40 % → 100 % legit, the preset's epochs), and writes the pooled
 * figures, per-family recall and times to bench/family-holdout-ranking.json, and one row per case to
 * bench/results.json (BENCHMARKS.md); ADR 0014 reports them. Run: `pnpm bench` in
 * packages/pipeline. Env: RANKING_PROTOCOLS (`cheap,full`), RANKING_FEATURE_SETS
 * (`tutorial,extended,bigram`).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchResults, type BenchResult } from '@dga/bench';
import { readDataset } from '@dga/dataset';
import { type FeatureSetName } from '@dga/features';
import { getPreset } from '@dga/model';
import { sharedDataFile } from '@dga/test-support';
import { DEFAULT_FAMILY_HOLDOUT, evaluateFamilyHoldout, selectTfjsBackend, type LabelledKey } from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));
/** The `default` preset's epochs on a feature set (12 on tutorial, 10 on extended, 6 on bigram). */
const presetEpochs = (featureSet: FeatureSetName): number => getPreset('default').epochsByFeatureSet?.[featureSet] ?? getPreset('default').epochs;
const protocols = {
  cheap: () => DEFAULT_FAMILY_HOLDOUT,
  full: (featureSet: FeatureSetName) => ({ folds: DEFAULT_FAMILY_HOLDOUT.folds, epochs: presetEpochs(featureSet), maxTrainRowsPerFamily: null, legitTrainFraction: 1 }),
};
const protocolNames = (process.env['RANKING_PROTOCOLS'] ?? 'cheap,full').split(',') as (keyof typeof protocols)[];
const featureSets = (process.env['RANKING_FEATURE_SETS'] ?? 'tutorial,extended,bigram').split(',') as FeatureSetName[];
const output = join(here, 'family-holdout-ranking.json');

const rows: LabelledKey[] = [];
for await (const row of readDataset(sharedDataFile('dga-training.csv'))) rows.push({ key: row.label, label: row.malicious ? 1 : 0, subclass: row.subclass });
await selectTfjsBackend({ batchSize: 512 });
const results: Record<string, unknown>[] = [];
const benchResults: BenchResult[] = [];
for (const protocolName of protocolNames) {
  for (const featureSet of featureSets) {
    const protocol = protocols[protocolName](featureSet);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const result = await evaluateFamilyHoldout(rows, { preset: 'default', featureSet, seed: 42, protocol, targetFpr: 0.01, threshold: 0.5 });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    // CPU seconds: on a shared, busy machine wall time says more about the neighbours than about the folds.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (result.status !== 'done') throw new Error(result.reason);
    const at = (fpr: number) => result.pooled.operatingPoints.find((point) => point.targetFpr === fpr)?.tpr ?? null;
    const entry = {
      protocol: protocolName,
      featureSet,
      seconds: Math.round(seconds * 10) / 10,
      cpuSeconds: Math.round(cpuSeconds * 10) / 10,
      rocAuc: result.pooled.rocAuc,
      tprAt0001: at(0.001),
      tprAt001: at(0.01),
      foldAuc: result.folds.map((fold) => fold.rocAuc),
      perFamilyRecall: Object.fromEntries(Object.entries(result.perFamily).map(([family, value]) => [family, Math.round(value.recall * 1000) / 1000])),
      settings: result.protocol,
    };
    results.push(entry);
    const weakest = Object.entries(entry.perFamilyRecall).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, 5);
    benchResults.push({
      name: `family-held-out, ${protocolName} folds (default preset, ${featureSet} features)`,
      items: result.pooled.rows.dga + result.pooled.rows.legit,
      unit: 'rows',
      seconds,
      throughput: (result.pooled.rows.dga + result.pooled.rows.legit) / seconds,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      peakHeapBytes: process.memoryUsage().heapUsed,
      extra: {
        cpuSeconds: entry.cpuSeconds,
        rocAuc: Number(entry.rocAuc?.toFixed(4)),
        tprAt0_1PercentFpr: Number(entry.tprAt0001?.toFixed(4)),
        tprAt1PercentFpr: Number(entry.tprAt001?.toFixed(4)),
        folds: result.protocol.folds,
        epochs: result.protocol.epochs,
        weakest: weakest.map(([family, recall]) => `${family} ${recall}`).join(' / '),
      },
    });
    writeBenchResults(join(here, 'results.json'), '@dga/pipeline family-held-out', benchResults);
    process.stderr.write(`${protocolName} ${featureSet}: AUC ${entry.rocAuc?.toFixed(4)} TPR@0.1% ${entry.tprAt0001?.toFixed(3)} TPR@1% ${entry.tprAt001?.toFixed(3)} in ${entry.seconds} s (${entry.cpuSeconds} CPU s)\n`);
    writeFileSync(output, JSON.stringify(results, null, 2) + '\n');
  }
}
