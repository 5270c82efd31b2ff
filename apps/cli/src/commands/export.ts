import { existsSync, lstatSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { getFeatureSet } from '@dga/features';
import { ExitCode, ExitError, UsageError } from '../exit-error';
import { globalArgs } from '../global-args';
import { parseNumberFlag, tfjsBackendFromEnv } from '../internal/parse-flags';
import { tfjsBackendOptions } from '../internal/tfjs-backend-options';
import { runtimeOf, writeOut } from '../runtime';

export default defineCommand({
  meta: { name: 'export', description: 'Convert a saved tfjs model to ONNX, checking parity with ONNX Runtime' },
  args: {
    model: { type: 'string', alias: 'm', required: true, description: 'tfjs model directory (model.json, weights.bin, model-card.json), or a run directory', valueHint: 'dir' },
    out: { type: 'string', alias: 'o', required: true, description: 'The .onnx file to write', valueHint: 'model.onnx' },
    tolerance: { type: 'string', description: 'Largest accepted |tfjs − ONNX Runtime| difference', default: '1e-5', valueHint: 'x' },
    seed: { type: 'string', description: 'Seed of the random parity rows (default 42)', valueHint: 'n' },
    json: { type: 'boolean', description: 'Print {file, bytes, parity, metadata} as JSON' },
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    const tolerance = parseNumberFlag(args.tolerance, 'tolerance', { min: 0 }) ?? 1e-5;
    const seed = parseNumberFlag(args.seed, 'seed', { integer: true, min: 0 }) ?? 42;
    let directory = resolve(runtime.cwd, args.model);
    if (!existsSync(directory)) throw new UsageError(`--model ${args.model}: no such directory`);
    if (!existsSync(resolve(directory, 'model.json')) && existsSync(resolve(directory, 'tfjs', 'model.json'))) {
      directory = resolve(directory, 'tfjs');
    }
    if (!existsSync(resolve(directory, 'model.json'))) {
      throw new UsageError(`--model ${args.model}: no model.json there; pass the tfjs folder written by \`dga train\` (RUN/tfjs)`);
    }
    const out = resolve(runtime.cwd, args.out);
    if (statSync(out, { throwIfNoEntry: false })?.isDirectory() === true) {
      throw new UsageError(`--out ${args.out} is a folder, not the file to write`, { hint: `pass the path of the ONNX file, for example --out ${join(args.out, 'model.onnx')}` });
    }
    // The file is written beside and renamed into place: that would replace a device, pipe or link, not write through it.
    if (lstatSync(out, { throwIfNoEntry: false })?.isFile() === false) {
      throw new UsageError(`--out ${args.out} is not a regular file (a device, named pipe or symbolic link), which export never replaces`, {
        hint: 'pass the path of a new .onnx file, or of a regular one to replace',
      });
    }
    if (!out.endsWith('.onnx')) runtime.logger.warn(`--out ${args.out} does not end in .onnx; Devo's Model Manager names files by extension`);
    const pipeline = await import('@dga/pipeline');
    const preference = tfjsBackendFromEnv(runtime.env['DGA_TFJS_BACKEND'], pipeline.tfjsBackendPreference);
    const backend = await pipeline.selectTfjsBackend(tfjsBackendOptions(preference));
    runtime.logger.debug(`tfjs backend: ${backend.backend} (${backend.reason})`);
    const [{ loadModel }, onnx] = await Promise.all([import('@dga/model'), import('@dga/onnx-export')]);
    const { model, card } = await loadModel(directory);
    try {
      const set = getFeatureSet(card.featureSet.name);
      let metadata: Record<string, string>;
      let exported;
      try {
        metadata = onnx.createModelMetadata({
          featureSet: set.name,
          featureNames: card.featureSet.features,
          featureSetVersion: card.featureSet.version,
          seed: card.seed,
          preset: card.preset,
          tfjsBackend: card.backend,
          pslMode: card.pslMode ?? 'all',
          // The threshold the run evaluated at (chosen at `targetFpr` when the card records one).
          ...(typeof card.metrics?.threshold === 'number' ? { threshold: card.metrics.threshold } : {}),
          ...(card.targetFpr === undefined ? {} : { targetFpr: card.targetFpr }),
        });
        // The exporter's own producer name, as the trainer's: the same model gives the same bytes.
        exported = await onnx.exportToOnnx(model, { metadata, tolerance, seed });
        onnx.readModelContract(exported.bytes);
      } catch (error) {
        if (onnx.isOnnxExportError(error)) {
          // A parity failure can be a tolerance too tight for this model: say which flag sets it.
          const hint = error.code === 'ERR_ONNX_PARITY' ? `the largest accepted difference is --tolerance ${String(tolerance)}; a larger one accepts this model, if the difference is one you can live with` : undefined;
          throw new ExitError(ExitCode.failure, error.message, hint === undefined ? { cause: error } : { cause: error, hint });
        }
        throw error;
      }
      try {
        await onnx.writeOnnxFile(out, exported.bytes);
      } catch (error) {
        if (!onnx.isOnnxExportError(error)) throw error;
        throw new ExitError(ExitCode.failure, `--out ${args.out}: ${error.message}`, { cause: error, hint: 'write to a writable folder on a disk with free space (nothing partial was left behind)' });
      }
      runtime.logger.info(`parity checked: max |tfjs − ONNX Runtime| = ${exported.parity.maxAbsDiff.toExponential(2)} over ${exported.parity.rows} rows`);
      const result = { file: out, bytes: exported.bytes.length, parity: exported.parity, metadata };
      await writeOut(
        runtime.stdout,
        args.json === true ? JSON.stringify(result) + '\n' : `wrote ${args.out} (${exported.bytes.length} bytes, feature set ${set.name}, opset 13)\n`,
      );
    } finally {
      model.dispose();
    }
  },
}) as unknown as CommandDef<ArgsDef>;
