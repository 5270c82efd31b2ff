import { resolve } from 'node:path';
import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { getFeatureSet } from '@dga/features';
import { ExitCode, ExitError } from '../exit-error';
import { globalArgs } from '../global-args';
import { checkDatasetFile } from '../internal/dataset-file';
import { datasetSkipArgs, datasetSkipOptions, explainDatasetError, formatDatasetSkips, type DatasetSkipReport } from '../internal/dataset-skips';
import { metricsJson, type MetricsJson } from '../internal/metrics-json';
import { decisionThreshold, loadModelInfo, nameNonFiniteRow, openClassifier } from '../internal/model-info';
import { parseNumberFlag, parseThreshold } from '../internal/parse-flags';
import { formatNumber, formatOperatingPoints } from '../internal/render';
import { runtimeOf, writeOut } from '../runtime';
import type { Metrics } from '@dga/model';

/** The `--json` document of `dga evaluate` (field names are a documented contract). */
export interface EvaluateResult extends MetricsJson, DatasetSkipReport {
  model: string;
  dataset: string;
  rows: number;
  bestThreshold: Metrics['bestThreshold'];
}

/** The human rendering of an evaluation: overall metrics, then one line per family. */
export function formatEvaluation(result: EvaluateResult): string {
  const lines = [
    `${result.rows.toLocaleString('en-US')} rows of ${result.dataset}, threshold ${result.threshold}`,
    `  ${formatDatasetSkips(result)}`,
    ...notScoredLines(result),
    '',
    `  accuracy   ${formatNumber(result.accuracy)}`,
    `  precision  ${formatNumber(result.precision)}`,
    `  recall     ${formatNumber(result.recall)}`,
    `  f1         ${formatNumber(result.f1)}`,
    `  rocAuc     ${result.rocAuc === null ? 'n/a (one class only)' : formatNumber(result.rocAuc)}`,
    '',
    `  at FPR     ${formatOperatingPoints(result.operatingPoints)}`,
    `  confusion  ${result.confusion.tp} DGA caught · ${result.confusion.fn} DGA missed · ${result.confusion.fp} legit flagged · ${result.confusion.tn} legit passed`,
    result.bestThreshold.threshold === null
      ? ''
      : `  best F1 ${formatNumber(result.bestThreshold.f1)} at threshold ${formatNumber(result.bestThreshold.threshold)}`,
    '',
    'family               rows   recall',
  ];
  const families = Object.entries(result.perFamily).sort((a, b) => a[1].recall - b[1].recall || a[0].localeCompare(b[0]));
  for (const [family, value] of families) {
    lines.push(`${family.padEnd(18)} ${String(value.count).padStart(6)}   ${(value.recall * 100).toFixed(1).padStart(5)}%${family === 'legit' ? '  (true-negative rate)' : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** The IDN rows left unscored (`idn-label` skips), stated next to the metrics they are not part of. */
function notScoredLines(result: EvaluateResult): string[] {
  const idn = result.skippedByReason['idn-label'] ?? 0;
  if (idn === 0) return [];
  return [`  ${idn} IDN label${idn === 1 ? '' : 's'} (xn--) not scored, as classify and the Devo query do not score them: the metrics are over the ${result.rows.toLocaleString('en-US')} scored rows`];
}

export default defineCommand({
  meta: { name: 'evaluate', description: 'Metrics of an ONNX model on a labelled CSV, overall and per DGA family' },
  args: {
    model: { type: 'string', alias: 'm', required: true, description: 'The ONNX model (or a run directory)', valueHint: 'model.onnx' },
    dataset: { type: 'string', required: true, description: 'Labelled CSV (host;domain;class;subclass), file or URL', valueHint: 'file|url' },
    threshold: { type: 'string', description: 'DGA when P(DGA) >= threshold (default: the threshold recorded in the model, else 0.5)', valueHint: '0..1' },
    'batch-size': { type: 'string', description: 'Rows per ONNX Runtime call', default: '8192', valueHint: 'n' },
    'cache-dir': { type: 'string', description: 'Cache for dataset URLs (env DGA_CACHE_DIR; default: no cache, a URL is streamed)', valueHint: 'dir' },
    json: { type: 'boolean', description: 'Print the metrics as one JSON document' },
    ...datasetSkipArgs,
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    parseThreshold(args.threshold);
    const batchSize = parseNumberFlag(args['batch-size'], 'batch-size', { integer: true, min: 1 }) ?? 8192;
    const skipOptions = datasetSkipOptions(args);
    const isUrl = /^https?:\/\//i.test(args.dataset);
    const datasetPath = isUrl ? args.dataset : resolve(runtime.cwd, args.dataset);
    checkDatasetFile(datasetPath, `--dataset ${args.dataset}`, 'pass a labelled CSV (host;domain;class;subclass) with --dataset FILE');
    const model = await loadModelInfo(args.model, runtime);
    const threshold = decisionThreshold(args.threshold, model);
    const [{ readDataset }, { computeMetrics }] = await Promise.all([import('@dga/dataset'), import('@dga/model')]);
    const set = getFeatureSet(model.featureSet);
    const classifier = await openClassifier(model, { batchSize });
    const scores: number[] = [];
    const labels: number[] = [];
    const families: string[] = [];
    const buffer = new Float32Array(batchSize * set.size);
    let rowsInBatch = 0;
    let skipped = 0;
    let report: DatasetSkipReport | undefined;
    const cacheDir = args['cache-dir'] ?? runtime.env['DGA_CACHE_DIR'];
    const task = runtime.progress.start('evaluating', { unit: 'items' });
    const flush = async () => {
      if (rowsInBatch === 0) return;
      let output;
      try {
        output = await classifier.predict(buffer.subarray(0, rowsInBatch * set.size));
      } catch (error) {
        throw nameNonFiniteRow(error, (row) => `--dataset ${args.dataset}, usable row ${scores.length + row + 1}`);
      }
      for (let row = 0; row < rowsInBatch; row += 1) scores.push(output[row * model.outputSize + 1]!);
      rowsInBatch = 0;
      task.update(scores.length);
    };
    try {
      const rows = readDataset(datasetPath, {
        ...skipOptions,
        // Labels as the model was trained on them (`dga.psl_mode`).
        psl: model.pslMode,
        signal: runtime.signal,
        ...(cacheDir === undefined || cacheDir === '' ? {} : { cacheDir: resolve(runtime.cwd, cacheDir) }),
        onSkip: (skip) => {
          skipped += 1;
          if (skipped <= 5) runtime.logger.warn(`${args.dataset}:${skip.line}: skipped: ${skip.reason}`);
        },
      });
      for await (const row of rows) {
        set.compute(row.label, buffer, rowsInBatch * set.size);
        rowsInBatch += 1;
        labels.push(row.malicious ? 1 : 0);
        families.push(row.subclass);
        if (rowsInBatch === batchSize) await flush();
      }
      await flush();
      const stats = rows.stats;
      report = { skipped: stats.skipped, skippedByReason: stats.skippedByCode, labelDisagreements: stats.labelDisagreements, labelsFromDomain: stats.labelsFromDomain };
    } catch (error) {
      throw explainDatasetError(error, 'evaluate');
    } finally {
      await classifier.dispose();
    }
    task.done(`evaluated ${scores.length} rows`);
    // A data problem, like a bad header: a runtime failure (exit 1), not a usage error.
    if (scores.length === 0 || report === undefined) {
      throw new ExitError(ExitCode.failure, `--dataset ${args.dataset}: no usable rows (${skipped} skipped)`, {
        hint: 'each row needs host;domain;class;subclass with a host that has a label and a class of legit or dga',
      });
    }
    const metrics = computeMetrics({ scores, labels, families, threshold });
    const result: EvaluateResult = {
      model: args.model,
      dataset: args.dataset,
      rows: metrics.rows,
      ...report,
      ...metricsJson(metrics),
      bestThreshold: metrics.bestThreshold,
    };
    await writeOut(runtime.stdout, args.json === true ? JSON.stringify(result) + '\n' : formatEvaluation(result));
  },
}) as unknown as CommandDef<ArgsDef>;
