import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { featureSetNames } from '@dga/features';
import { ExitCode, ExitError, UsageError } from '../exit-error';
import { globalArgs, devoArgs, mlmmArgs } from '../global-args';
import { checkDatasetFile } from '../internal/dataset-file';
import { datasetSkipArgs, datasetSkipOptions, explainDatasetError, formatDatasetSkips } from '../internal/dataset-skips';
import { parseNumberFlag, parseTargetFpr, parseThreshold, tfjsBackendFromEnv } from '../internal/parse-flags';
import { tfjsBackendOptions } from '../internal/tfjs-backend-options';
import { metricsJson } from '../internal/metrics-json';
import { createMlmm, mlmmConfigFrom } from '../internal/mlmm';
import { redactUrl, scrubSecrets } from '../internal/redact';
import { formatNumber, formatOperatingPoints, formatRate } from '../internal/render';
import type { ProgressTask } from '../progress';
import { runtimeOf, writeOut, type CommandRuntime } from '../runtime';
import { VERSION } from '../version';
import type { MlmmClient } from '@dga/mlmm-client';
import type { RunDirectoryError, TrainingConfig, TrainingEvent, TrainingRunResult } from '@dga/pipeline';

/** Renders the pipeline's events on stderr: bars on a TTY, one line per epoch everywhere. */
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
      case 'holdout-fold': {
        const { fold } = event;
        const tpr = fold.operatingPoints.find((point) => point.targetFpr === 0.01)?.tpr;
        logger.info(
          `held-out fold ${fold.fold}/${event.folds}: ${fold.families.length} ${fold.families.length === 1 ? 'family' : 'families'} (${fold.rows.dga} DGA, ${fold.rows.legit} legit rows), ` +
            `ROC AUC ${fold.rocAuc === null ? '-' : fold.rocAuc.toFixed(4)}, TPR at 1 % FPR ${tpr === undefined || tpr === null ? '-' : tpr.toFixed(3)}`,
        );
        break;
      }
      case 'warning':
        logger.warn(event.message);
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

/** The presets with a character branch, which need the `char` features (and the only ones that take them). */
const characterPresets = ['char', 'char-average'] as const;

export function formatTrainingSummary(result: TrainingRunResult, cwd: string): string {
  const queryLines = result.query.split('\n').length;
  const show = (path: string) => {
    const relative = path.startsWith(cwd + '/') ? path.slice(cwd.length + 1) : path;
    return relative;
  };
  const metrics = result.metrics;
  const chosen = result.threshold.targetFpr === null ? (result.threshold.note === undefined ? 'given' : 'kept: no validation split') : `chosen at ${formatRate(result.threshold.targetFpr)} validation FPR`;
  const lines = [
    `Dataset ${result.dataset.source}: ${result.dataset.rows} rows; ${formatDatasetSkips(result.dataset)}`,
    `Held-out metrics (threshold ${formatNumber(metrics.threshold)}, ${chosen}; ${metrics.rows} rows):`,
    `  accuracy ${formatNumber(metrics.accuracy)}   precision ${formatNumber(metrics.precision)}   recall ${formatNumber(metrics.recall)}   F1 ${formatNumber(metrics.f1)}   ROC AUC ${formatNumber(metrics.rocAuc ?? Number.NaN)}`,
    `  confusion: ${metrics.confusion.tp} DGA caught, ${metrics.confusion.fn} missed, ${metrics.confusion.fp} legit flagged, ${metrics.confusion.tn} legit passed`,
    `  ${formatOperatingPoints(metrics.operatingPoints)}`,
    ...formatFamilyHoldout(result.familyHoldout),
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
    result.registered
      ? `Registered in Devo's Model Manager as ${result.modelName}.`
      : `${result.registerError === undefined ? 'Next' : 'Registering failed (see stderr); register later'}: dga register --model ${show(result.artifacts.onnx)} --name ${result.modelName}`,
    ...(queryLines <= QUERY_LINES_SHOWN
      ? [`Then run in Devo through the Query API (mlevalmodel does not run in the search window), e.g. dga query --from 'now()-1*hour()':`, '', result.query]
      : [
          `Then run in Devo, through the Query API, the classification query (${queryLines} lines, ${Buffer.byteLength(result.query)} bytes); print it with`,
          `  dga linq --model ${show(result.artifacts.onnx)} --name ${result.modelName}`,
          `or run it with: dga query --model ${show(result.artifacts.onnx)} --from 'now()-1*hour()'`,
        ]),
  ];
  return lines.join('\n') + '\n';
}

/** The family-held-out lines of the summary: pooled figures and the weakest families, or the stated skip. */
export function formatFamilyHoldout(holdout: TrainingRunResult['familyHoldout']): string[] {
  if (holdout.status === 'skipped') return [`Family-held-out evaluation skipped: ${holdout.reason}.`];
  const { pooled, protocol } = holdout;
  const weakest = Object.entries(holdout.perFamily)
    .sort((a, b) => a[1].recall - b[1].recall || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([family, value]) => `${family} ${formatNumber(value.recall)}`);
  return [
    `Family-held-out (${protocol.folds} folds over DGA families, ${pooled.rows.dga} DGA rows of unseen families, ${pooled.rows.legit} unseen legit rows):`,
    `  ROC AUC ${pooled.rocAuc === null ? '-' : formatNumber(pooled.rocAuc)}   ${formatOperatingPoints(pooled.operatingPoints).replace(/ \(threshold [^)]*\)/g, '')}`,
    `  weakest families (recall): ${weakest.join(', ')}`,
  ];
}

export default defineCommand({
  meta: { name: 'train', description: 'Train, evaluate, export to ONNX, verify and report (the whole tutorial)' },
  args: {
    dataset: { type: 'string', description: 'Labelled CSV file or URL (env DGA_DATASET; default: the tutorial dataset URL)', valueHint: 'file|url' },
    preset: { type: 'enum', options: ['tutorial', 'default', 'ngram', ...characterPresets], description: 'Model preset (default: default)' },
    features: { type: 'enum', options: [...featureSetNames], description: 'Feature set (default: the preset\'s)' },
    psl: { type: 'enum', options: ['all', 'icann'], description: 'Public Suffix List rules of the labels: all (ICANN + private, default) or icann, to match a Devo rootsuffix without private rules (see dga devo probe)' },
    epochs: { type: 'string', description: 'Epochs (default: the preset\'s)', valueHint: 'n' },
    'batch-size': { type: 'string', description: 'Batch size (default: the preset\'s)', valueHint: 'n' },
    seed: { type: 'string', description: 'Random seed (default 42)', valueHint: 'n' },
    threshold: { type: 'string', description: 'A fixed decision threshold for metrics and verdicts, instead of one chosen at --target-fpr', valueHint: '0..1' },
    'target-fpr': { type: 'string', description: 'Choose the threshold that flags this share of the validation legit rows; recorded in the model (default 0.01)', valueHint: 'rate' },
    'family-holdout': {
      type: 'boolean',
      default: true,
      description: 'Also evaluate the recipe on DGA families it never saw (5 folds over families)',
      negativeDescription: 'Skip the family-held-out evaluation (faster)',
    },
    out: { type: 'string', alias: 'o', description: 'Run directory (default runs/latest); replaced only when it holds a previous run', valueHint: 'dir' },
    overwrite: { type: 'boolean', description: 'Replace --out even when it is not a previous run (never the working directory, home, / or a git repository)' },
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
    const pipeline = await import('@dga/pipeline');
    let fromFile: Partial<TrainingConfig> = {};
    if (args.config !== undefined) {
      const file = resolve(runtime.cwd, args.config);
      try {
        fromFile = pipeline.loadTrainingConfigFile(file);
      } catch (error) {
        if (pipeline.TrainingConfigError.isInstance(error)) throw new UsageError(`--config ${error.message}`, { cause: error });
        throw error;
      }
    }
    const flag = (name: string) => (args[name] === undefined ? undefined : String(args[name]));
    const config: TrainingConfig = {
      ...fromFile,
      out: resolve(runtime.cwd, flag('out') ?? fromFile.out ?? 'runs/latest'),
    };
    const outFrom = flag('out') !== undefined ? '--out' : fromFile.out !== undefined ? `"out" in ${args.config}` : '--out (default runs/latest)';
    const dataset = flag('dataset');
    // A relative file (flag or DGA_DATASET) is relative to where the user typed the command.
    const fileOrUrl = (value: string | undefined) =>
      value === undefined || value.trim() === '' || /^https?:\/\//i.test(value) ? value : resolve(runtime.cwd, value);
    if (dataset !== undefined) config.dataset = fileOrUrl(dataset)!;
    Object.assign(config, datasetSkipOptions(args));
    if (args.preset !== undefined) config.preset = args.preset;
    if (args.features !== undefined) config.featureSet = args.features;
    if (args.psl !== undefined) config.psl = args.psl;
    checkCharPairing(config, {
      preset: (value) => (args.preset !== undefined ? `--preset ${value}` : `"preset": "${value}" in ${args.config}`),
      featureSet: (value) => (args.features !== undefined ? `--features ${value}` : `"featureSet": "${value}" in ${args.config}`),
    });
    const epochs = parseNumberFlag(flag('epochs'), 'epochs', { integer: true, min: 1 });
    if (epochs !== undefined) config.epochs = epochs;
    const batchSize = parseNumberFlag(flag('batch-size'), 'batch-size', { integer: true, min: 1 });
    if (batchSize !== undefined) config.batchSize = batchSize;
    const seed = parseNumberFlag(flag('seed'), 'seed', { integer: true, min: 0 });
    if (seed !== undefined) config.seed = seed;
    const threshold = parseThreshold(flag('threshold'));
    const targetFpr = parseTargetFpr(flag('target-fpr'));
    if (threshold !== undefined && targetFpr !== undefined) {
      throw new UsageError('--threshold and --target-fpr: pass one', { hint: '--threshold fixes the threshold; --target-fpr chooses it at that validation false-positive rate' });
    }
    // A flag replaces the config file's choice of either.
    if (threshold !== undefined) {
      config.threshold = threshold;
      delete config.targetFpr;
    }
    if (targetFpr !== undefined) {
      config.targetFpr = targetFpr;
      delete config.threshold;
    }
    if (args['family-holdout'] === false) config.familyHoldout = false;
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
    if (config.dataset !== undefined) {
      checkDatasetFile(config.dataset, `${dataset === undefined ? 'dataset' : '--dataset'} ${config.dataset}`, 'pass a labelled CSV (host;domain;class;subclass) with --dataset FILE or DGA_DATASET');
    }
    // Resolve registration settings and reach the Model Manager before hours of training, so a
    // missing token, a server that is down or a name already taken fail fast.
    let registrar: MlmmClient | undefined;
    if (config.register !== undefined) {
      const mlmmConfig = mlmmConfigFrom(args, runtime);
      registrar = await createMlmm(mlmmConfig, runtime);
      await checkRegistration(registrar, config.register, mlmmConfig.url, runtime);
    }
    const preference = tfjsBackendFromEnv(runtime.env['DGA_TFJS_BACKEND'], pipeline.tfjsBackendPreference);
    let result: TrainingRunResult;
    try {
      result = await pipeline.runTraining(config, {
        signal: runtime.signal,
        datasetEnv: fileOrUrl(runtime.env['DGA_DATASET']),
        onEvent: createTrainingRenderer(runtime),
        packages: { '@dga/cli': VERSION },
        runDirectory: { overwrite: args.overwrite === true, cwd: runtime.cwd, home: runtime.env['HOME'] ?? homedir() },
        selectBackend: (run) => pipeline.selectTfjsBackend({ ...tfjsBackendOptions(preference), batchSize: run.batchSize }),
        ...(registrar === undefined ? {} : { registrar }),
      });
    } catch (error) {
      if (pipeline.TrainingConfigError.isInstance(error)) {
        // A query setting the LINQ cannot hold, refused before any work: "query.*" of --config, or the --register name.
        const from = error.message.startsWith('"register.name"') && registerName !== undefined ? '--register' : `--config ${args.config ?? ''}`.trim();
        throw new UsageError(`${from}: ${error.message}`, { cause: error });
      }
      throw pipeline.RunDirectoryError.isInstance(error) ? runDirectoryExitError(error, outFrom) : explainDatasetError(error, 'train', datasetShown(config.dataset ?? fileOrUrl(runtime.env['DGA_DATASET'])));
    }
    runtime.logger.info(`done in ${result.seconds.total.toFixed(1)} s`, { trainSeconds: Math.round(result.seconds.train * 10) / 10 });
    const registerError = result.registerError === undefined ? undefined : scrubSecrets(result.registerError.message, runtime.logger.secrets);
    if (args.json === true) {
      await writeOut(runtime.stdout, scrubSecrets(JSON.stringify(trainingJson(result)), runtime.logger.secrets) + '\n');
    } else {
      await writeOut(runtime.stdout, formatTrainingSummary(result, runtime.cwd));
    }
    if (registerError !== undefined) {
      throw new ExitError(ExitCode.failure, `registering "${result.modelName}" failed after training: ${registerError}`, {
        cause: result.registerError,
        hint: `the run is saved in ${result.artifacts.directory}; register it later with \`dga register --model ${join(result.artifacts.directory, 'model.onnx')} --name ${result.modelName}\``,
      });
    }
  },
}) as unknown as CommandDef<ArgsDef>;

/**
 * Checks, before training, that the Model Manager answers with these settings and that the name
 * is free (or `--force` is given): a `GET` of the model, which needs the token like the upload.
 */
async function checkRegistration(client: MlmmClient, register: NonNullable<TrainingConfig['register']>, url: string, runtime: CommandRuntime): Promise<void> {
  let existing;
  try {
    existing = await client.findModel(register.name, { signal: runtime.signal });
  } catch (error) {
    if (runtime.signal.aborted) throw error;
    if (UsageError.isInstance(error)) throw new UsageError(`--register ${register.name}: ${error.message}`, { cause: error, hint: 'nothing was trained; choose another --register NAME' });
    throw new ExitError(ExitCode.failure, `--register ${register.name}: the Model Manager at ${url} failed the check before training: ${(error as Error).message}`, {
      cause: error,
      hint: 'nothing was trained; fix the Model Manager settings (--mlmm-url, --token, modelmanager.ini), or train without --register and run `dga register` later',
    });
  }
  if (existing !== null && register.force !== true) {
    throw new ExitError(ExitCode.failure, `--register ${register.name}: a model of that name already exists in the Model Manager at ${url}`, {
      hint: 'nothing was trained; pass --force to replace it, or choose another --register NAME',
    });
  }
}

/**
 * The character presets (`char`, `char-average`) and the `char` features go together: the preset's
 * character branch reads the set's character codes, and another preset would feed those codes to
 * a plain MLP as numbers. `from` names a setting as the user gave it (the flag, or the config
 * file's key).
 */
function checkCharPairing(config: TrainingConfig, from: { preset: (value: string) => string; featureSet: (value: string) => string }): void {
  const characterPreset = config.preset !== undefined && (characterPresets as readonly string[]).includes(config.preset);
  if (characterPreset && config.featureSet !== undefined && config.featureSet !== 'char') {
    throw new UsageError(`${from.preset(config.preset!)} needs the char features, not ${from.featureSet(config.featureSet)}`, {
      hint: `drop the feature set (the ${config.preset!} preset uses the char set), or pick another preset`,
    });
  }
  if (config.featureSet === 'char' && !characterPreset) {
    const preset = config.preset === undefined ? 'the default preset' : from.preset(config.preset);
    throw new UsageError(`${from.featureSet('char')} needs a character preset (${characterPresets.join(' or ')}), not ${preset}: only their character branch reads the character codes`, {
      hint: 'pass --preset char or --preset char-average (their feature set is char), or pick another feature set',
    });
  }
}

/** The dataset as an error names it: the file, the URL without its credentials, else the default's description. */
function datasetShown(source: string | undefined): string {
  if (source === undefined || source.trim() === '') return 'the default dataset (the tutorial URL)';
  return /^https?:\/\//i.test(source) ? redactUrl(source) : source;
}

/** A refused or unwritable run directory as a CLI error: usage (2) for a refused target, runtime (1) for the disk. */
function runDirectoryExitError(error: RunDirectoryError, outFrom: string): ExitError {
  if (error.code === 'ERR_TRAINER_OUT_WRITE') {
    return new ExitError(ExitCode.failure, `${outFrom}: ${error.message}`, { cause: error, hint: 'nothing partial was left behind' });
  }
  // ERR_TRAINER_OUT_FORBIDDEN says the fix already; --overwrite cannot help there.
  return new UsageError(`${outFrom}: ${error.message}`, {
    cause: error,
    ...(error.code === 'ERR_TRAINER_OUT_NOT_A_RUN' ? { hint: 'choose a new or empty folder, move its content away, or pass --overwrite to replace it' } : {}),
  });
}

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
    targetFpr: result.threshold.targetFpr,
    familyHoldout: result.familyHoldout,
    parity: result.parity,
    verify: result.verify,
    samples: result.samples,
    modelName: result.modelName,
    registered: result.registered,
    registerError: result.registerError?.message ?? null,
    query: result.query,
    seconds: result.seconds,
  };
}
