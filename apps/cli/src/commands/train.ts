import { resolve } from 'node:path';
import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { featureSetNames } from '@dga/features';
import { UsageError } from '../exit-error';
import { globalArgs, devoArgs, mlmmArgs } from '../global-args';
import { datasetSkipArgs, datasetSkipOptions, explainDatasetError, formatDatasetSkips } from '../internal/dataset-skips';
import { parseNumberFlag, parseThreshold, tfjsBackendFromEnv } from '../internal/parse-flags';
import { metricsJson } from '../internal/metrics-json';
import { createMlmm, mlmmConfigFrom } from '../internal/mlmm';
import { formatNumber } from '../internal/render';
import type { ProgressTask } from '../progress';
import { runtimeOf, writeOut, type CommandRuntime } from '../runtime';
import { VERSION } from '../version';
import type { TrainingConfig, TrainingEvent, TrainingRunResult } from '@dga/trainer';

/** Renders the trainer's events on stderr: bars on a TTY, one line per epoch everywhere. */
export function createTrainingRenderer(runtime: CommandRuntime): (event: TrainingEvent) => void {
  const { logger, progress } = runtime;
  let download: ProgressTask | undefined;
  let training: ProgressTask | undefined;
  let skipped = 0;
  let steps = 0;
  return (event) => {
    switch (event.type) {
      case 'backend':
        logger.info(`tfjs backend: ${event.backend} (${event.reason})`);
        break;
      case 'stage':
        if (event.stage === 'evaluate') {
          training?.done('training finished');
          training = undefined;
          download = undefined;
        }
        if (event.stage === 'train' || event.stage === 'dataset' || event.stage === 'backend') logger.debug(event.message);
        else logger.info(`${event.message}…`);
        break;
      case 'dataset-progress':
        if (training !== undefined || steps > 0) break;
        download ??= progress.start('reading dataset', {
          unit: 'bytes',
          ...(event.totalBytes === undefined ? {} : { total: event.totalBytes }),
        });
        download.update(event.bytes);
        break;
      case 'dataset-cache':
        logger.info(`dataset ${event.status}: ${event.file}`);
        break;
      case 'dataset-skip':
        skipped += 1;
        if (skipped <= 5) logger.warn(`dataset line ${event.line} skipped: ${event.reason}`);
        else if (skipped === 6) logger.warn('more dataset lines skipped; see the count below');
        break;
      case 'train-begin': {
        download?.done('dataset read');
        const split = event.split;
        logger.info(
          `training ${event.epochs} epochs × ${event.stepsPerEpoch} steps (batch ${event.batchSize}) on ${split.train.legit + split.train.dga} rows; ` +
            `validation ${split.validation.legit + split.validation.dga}, held-out test ${split.test.legit + split.test.dga}`,
          { dataMode: event.dataMode, scanSeconds: event.scanSeconds },
        );
        if (skipped > 0) logger.warn(`${skipped} dataset lines were skipped`);
        steps = event.stepsPerEpoch;
        training = progress.start('training', { total: event.epochs * event.stepsPerEpoch, unit: 'items' });
        break;
      }
      case 'batch-end':
        training?.update((event.epoch - 1) * steps + event.batch, `epoch ${event.epoch}/${event.epochs}  loss ${event.loss.toFixed(4)}  acc ${event.accuracy.toFixed(4)}`);
        break;
      case 'epoch-end':
        logger.info(
          `epoch ${event.epoch}/${event.epochs}  loss ${event.loss.toFixed(4)}  acc ${event.accuracy.toFixed(4)}` +
            (event.valLoss === undefined ? '' : `  val_loss ${event.valLoss.toFixed(4)}  val_acc ${(event.valAccuracy ?? 0).toFixed(4)}  val_auc ${event.valAuc?.toFixed(4) ?? '-'}`) +
            `  ${event.seconds.toFixed(1)}s${event.improved ? '' : '  (no improvement)'}`,
        );
        training?.update(event.epoch * steps);
        break;
    }
  };
}

/** The human summary of a run, printed on stdout (exported for tests). */
export /** Longer classification queries (the 242-column `bigram` one) are not printed in the summary. */
const QUERY_LINES_SHOWN = 60;

export function formatTrainingSummary(result: TrainingRunResult, cwd: string): string {
  const queryLines = result.query.split('\n').length;
  const show = (path: string) => {
    const relative = path.startsWith(cwd + '/') ? path.slice(cwd.length + 1) : path;
    return relative;
  };
  const metrics = result.metrics;
  const lines = [
    `Dataset ${result.dataset.source}: ${result.dataset.rows} rows; ${formatDatasetSkips(result.dataset)}`,
    `Held-out metrics (threshold ${metrics.threshold}, ${metrics.rows} rows):`,
    `  accuracy ${formatNumber(metrics.accuracy)}   precision ${formatNumber(metrics.precision)}   recall ${formatNumber(metrics.recall)}   F1 ${formatNumber(metrics.f1)}   ROC AUC ${formatNumber(metrics.rocAuc ?? Number.NaN)}`,
    `  confusion: ${metrics.confusion.tp} DGA caught, ${metrics.confusion.fn} missed, ${metrics.confusion.fp} legit flagged, ${metrics.confusion.tn} legit passed`,
    `ONNX export: parity max |tfjs − ONNX Runtime| = ${result.parity.maxAbsDiff.toExponential(2)} over ${result.parity.rows} rows; verified ${result.verify.rows} rows (max diff ${result.verify.maxAbsDiff.toExponential(2)})`,
    '',
    'Sample domains (ONNX model):',
    ...result.samples.map(
      (sample) => `  ${(sample.malicious ? 'DGA' : 'legit').padEnd(6)} ${sample.probability.toFixed(4)}  ${sample.label.padEnd(32)} ${sample.input}`,
    ),
    '',
    `Artifacts in ${show(result.artifacts.directory)}/:`,
    `  model.onnx        ${show(result.artifacts.onnx)}`,
    `  tfjs/             the tfjs model`,
    `  model-card.json   seed ${result.seed}, preset ${result.preset}, feature set ${result.featureSet}, backend ${result.backend.name}`,
    `  metrics.json      metrics, per-family recall, history`,
    `  report.html       open ${show(result.artifacts.report)} in a browser`,
    '',
    result.registered ? `Registered in Devo's Model Manager as ${result.modelName}.` : `Next: dga register --model ${show(result.artifacts.onnx)} --name ${result.modelName}`,
    ...(queryLines <= QUERY_LINES_SHOWN
      ? [`Then run in Devo (or: dga query --from 'now()-1*hour()'):`, '', result.query]
      : [
          `Then run in Devo the classification query (${queryLines} lines, one per feature column); print it with`,
          `  dga linq --model ${show(result.artifacts.onnx)} --name ${result.modelName}`,
          `or run it with: dga query --model ${show(result.artifacts.onnx)} --from 'now()-1*hour()'`,
        ]),
  ];
  return lines.join('\n') + '\n';
}

export default defineCommand({
  meta: { name: 'train', description: 'Train, evaluate, export to ONNX, verify and report (the whole tutorial)' },
  args: {
    dataset: { type: 'string', description: 'Labelled CSV file or URL (env DGA_DATASET; default: the tutorial dataset URL)', valueHint: 'file|url' },
    preset: { type: 'enum', options: ['tutorial', 'default'], description: 'Model preset (default: default)' },
    features: { type: 'enum', options: [...featureSetNames], description: 'Feature set (default: the preset\'s)' },
    epochs: { type: 'string', description: 'Epochs (default: the preset\'s)', valueHint: 'n' },
    'batch-size': { type: 'string', description: 'Batch size (default: the preset\'s)', valueHint: 'n' },
    seed: { type: 'string', description: 'Random seed (default 42)', valueHint: 'n' },
    threshold: { type: 'string', description: 'Decision threshold for metrics and verdicts (default 0.5)', valueHint: '0..1' },
    out: { type: 'string', alias: 'o', description: 'Run directory (default runs/latest)', valueHint: 'dir' },
    config: { type: 'string', description: 'JSON training config; flags override it', valueHint: 'file.json' },
    'cache-dir': { type: 'string', description: 'Where downloaded datasets are cached (env DGA_CACHE_DIR; default ~/.cache/dga)', valueHint: 'dir' },
    register: { type: 'string', description: 'Also register the model in Devo\'s Model Manager under NAME', valueHint: 'name' },
    description: { type: 'string', description: 'Description of the registered model', valueHint: 'text' },
    force: { type: 'boolean', description: 'Overwrite a registered model of the same name' },
    json: { type: 'boolean', description: 'Print the result as one JSON document' },
    ...datasetSkipArgs,
    ...mlmmArgs,
    ...devoArgs,
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    const trainer = await import('@dga/trainer');
    let fromFile: Partial<TrainingConfig> = {};
    if (args.config !== undefined) {
      const file = resolve(runtime.cwd, args.config);
      try {
        fromFile = trainer.loadTrainingConfigFile(file);
      } catch (error) {
        if (error instanceof trainer.TrainingConfigError) throw new UsageError(error.message, { cause: error });
        throw error;
      }
    }
    const flag = (name: string) => (args[name] === undefined ? undefined : String(args[name]));
    const config: TrainingConfig = {
      ...fromFile,
      out: resolve(runtime.cwd, flag('out') ?? fromFile.out ?? 'runs/latest'),
    };
    const dataset = flag('dataset');
    // A relative file (flag or DGA_DATASET) is relative to where the user typed the command.
    const fileOrUrl = (value: string | undefined) =>
      value === undefined || value.trim() === '' || /^https?:\/\//i.test(value) ? value : resolve(runtime.cwd, value);
    if (dataset !== undefined) config.dataset = fileOrUrl(dataset)!;
    Object.assign(config, datasetSkipOptions(args));
    if (args.preset !== undefined) config.preset = args.preset;
    if (args.features !== undefined) config.featureSet = args.features;
    const epochs = parseNumberFlag(flag('epochs'), 'epochs', { integer: true, min: 1 });
    if (epochs !== undefined) config.epochs = epochs;
    const batchSize = parseNumberFlag(flag('batch-size'), 'batch-size', { integer: true, min: 1 });
    if (batchSize !== undefined) config.batchSize = batchSize;
    const seed = parseNumberFlag(flag('seed'), 'seed', { integer: true, min: 0 });
    if (seed !== undefined) config.seed = seed;
    const threshold = parseThreshold(flag('threshold'));
    if (threshold !== undefined) config.threshold = threshold;
    const cacheDir = flag('cache-dir') ?? runtime.env['DGA_CACHE_DIR'];
    if (cacheDir !== undefined && cacheDir !== '') config.cacheDir = resolve(runtime.cwd, cacheDir);
    const registerName = flag('register');
    if (registerName !== undefined) {
      config.register = { name: registerName };
      if (args.description !== undefined) config.register.description = String(args.description);
      if (args.force === true) config.register.force = true;
    } else if (args.description !== undefined || args.force === true) {
      throw new UsageError('--description and --force apply to --register NAME');
    }
    if (config.dataset !== undefined && !/^https?:\/\//i.test(config.dataset)) {
      const { existsSync } = await import('node:fs');
      if (!existsSync(config.dataset)) {
        throw new UsageError(`${dataset === undefined ? 'dataset' : '--dataset'} ${config.dataset}: no such file`, {
          hint: 'pass a labelled CSV (host;domain;class;subclass) with --dataset FILE or DGA_DATASET',
        });
      }
    }
    // Resolve registration settings before hours of training, so a missing token fails fast.
    const registrar = config.register === undefined ? undefined : await createMlmm(mlmmConfigFrom(args, runtime), runtime);
    const preference = tfjsBackendFromEnv(runtime.env['DGA_TFJS_BACKEND'], trainer.tfjsBackendPreference);
    const result = await trainer
      .runTraining(config, {
        signal: runtime.signal,
        datasetEnv: fileOrUrl(runtime.env['DGA_DATASET']),
        onEvent: createTrainingRenderer(runtime),
        packages: { '@dga/cli': VERSION },
        ...(preference === undefined ? {} : { selectBackend: (run) => trainer.selectTfjsBackend({ prefer: preference, batchSize: run.batchSize }) }),
        ...(registrar === undefined ? {} : { registrar }),
      })
      .catch((error: unknown) => {
        throw explainDatasetError(error);
      });
    runtime.logger.info(`done in ${result.seconds.total.toFixed(1)} s`, { trainSeconds: Math.round(result.seconds.train * 10) / 10 });
    if (args.json === true) {
      await writeOut(runtime.stdout, JSON.stringify(trainingJson(result)) + '\n');
    } else {
      await writeOut(runtime.stdout, formatTrainingSummary(result, runtime.cwd));
    }
  },
}) as unknown as CommandDef<ArgsDef>;

/** The `--json` document of `dga train`: stable field names (see the CLI README). */
export function trainingJson(result: TrainingRunResult): Record<string, unknown> {
  return {
    runDirectory: result.artifacts.directory,
    artifacts: result.artifacts,
    preset: result.preset,
    featureSet: result.featureSet,
    seed: result.seed,
    epochs: result.epochsRun,
    backend: result.backend,
    dataset: result.dataset,
    ...metricsJson(result.metrics),
    parity: result.parity,
    verify: result.verify,
    samples: result.samples,
    modelName: result.modelName,
    registered: result.registered,
    query: result.query,
    seconds: result.seconds,
  };
}
