import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { ExitCode, ExitError, UsageError } from '../exit-error';
import { devoArgs, globalArgs, mlmmArgs } from '../global-args';
import { createMlmm, mlmmConfigFrom } from '../internal/mlmm';
import { checkedContract } from '../internal/model-info';
import { createRowWriter } from '../internal/render';
import { runtimeOf, writeOut } from '../runtime';

const connectionArgs = { ...mlmmArgs, ...devoArgs, ...globalArgs } as const;

function formatDate(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value).toISOString().slice(0, 19).replace('T', ' ') : '';
}

const list = defineCommand({
  meta: { name: 'list', description: "List the models in Devo's Model Manager" },
  args: { json: { type: 'boolean', description: 'Print the list as one JSON array' }, ...connectionArgs },
  async run(context) {
    const runtime = runtimeOf(context);
    const client = await createMlmm(mlmmConfigFrom(context.args, runtime), runtime);
    const models = await client.listModels({ signal: runtime.signal });
    if (context.args.json === true) {
      await writeOut(runtime.stdout, JSON.stringify(models) + '\n');
      return;
    }
    if (models.length === 0) {
      runtime.logger.info('no models registered yet; add one with `dga register --model model.onnx --name NAME`');
      return;
    }
    const nameWidth = Math.min(40, Math.max(4, ...models.map((model) => model.name.length)));
    const writer = createRowWriter('table', [
      { key: 'name', width: nameWidth },
      { key: 'engine', width: 8 },
      { key: 'updated', width: 19 },
      { key: 'description' },
    ]);
    let text = writer.header();
    for (const model of models) {
      text += writer.row({
        name: model.name,
        engine: model.engine ?? '',
        updated: formatDate(model['updateDate'] ?? model['creationDate']),
        description: model.description ?? '',
      });
    }
    await writeOut(runtime.stdout, text);
  },
});

const get = defineCommand({
  meta: { name: 'get', description: 'Show one model' },
  args: {
    name: { type: 'positional', required: true, description: 'Model name', valueHint: 'name' },
    json: { type: 'boolean', description: 'Print the model as JSON' },
    ...connectionArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const client = await createMlmm(mlmmConfigFrom(context.args, runtime), runtime);
    const model = await client.findModel(context.args.name, { signal: runtime.signal });
    if (model === null) {
      throw new ExitError(ExitCode.failure, `no model named "${context.args.name}" in the Model Manager`, { hint: 'see `dga models list`' });
    }
    if (context.args.json === true) {
      await writeOut(runtime.stdout, JSON.stringify(model) + '\n');
      return;
    }
    const fields = (model.fields ?? []).map((field) => `${field.name}:${field.type}`).join(', ');
    const lines = [
      `name         ${model.name}`,
      `id           ${model.id}`,
      `engine       ${model.engine}`,
      `description  ${model.description ?? ''}`,
      `created      ${formatDate(model.creationDate)}`,
      `updated      ${formatDate(model.updateDate)}`,
      `category     ${model.category ?? ''}`,
      `outputType   ${model.outputType ?? ''}`,
      `fields       ${fields}`,
    ];
    await writeOut(runtime.stdout, lines.join('\n') + '\n');
  },
});

/** The bytes of `file` when it is a regular file, else undefined. */
function readExisting(file: string): Buffer | undefined {
  return statSync(file, { throwIfNoEntry: false })?.isFile() === true ? readFileSync(file) : undefined;
}

const download = defineCommand({
  meta: { name: 'download', description: 'Download a model file' },
  args: {
    name: { type: 'positional', required: true, description: 'Model name', valueHint: 'name' },
    out: { type: 'string', alias: 'o', description: 'Folder to write NAME.onnx into (default: download_path of the profile, else .)', valueHint: 'dir' },
    json: { type: 'boolean', description: 'Print {name, file, bytes} as JSON' },
    force: { type: 'boolean', description: 'Replace an existing NAME.onnx that differs from the downloaded model' },
    ...connectionArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const config = mlmmConfigFrom(context.args, runtime);
    const client = await createMlmm(config, runtime);
    const directory = resolve(runtime.cwd, context.args.out ?? config.downloadPath ?? '.');
    if (statSync(directory, { throwIfNoEntry: false })?.isDirectory() === false) {
      const given = context.args.out === undefined ? `download_path ${config.downloadPath ?? ''} of the profile` : `--out ${context.args.out}`;
      throw new UsageError(`${given} is a file, not the folder to write ${context.args.name}.onnx into`, { hint: 'pass a folder; a missing one is created' });
    }
    const [{ isMlmmModelNotFoundError }, { readModelContract }] = await Promise.all([import('@dga/mlmm-client'), import('@dga/onnx-export')]);
    // Checked before anything is written: a reply that is not a DGA model, or one that would
    // replace a different file without --force, leaves the existing file as it was.
    const verify = (bytes: Uint8Array, file: string): void => {
      const contract = checkedContract(
        () => readModelContract(bytes),
        `model "${context.args.name}" from ${config.url} (${bytes.length} bytes, nothing written)`,
        'the Model Manager holds something else under this name: register a valid model with `dga register --force`, or check the URL and any proxy in between',
      );
      const existing = context.args.force === true ? undefined : readExisting(file);
      if (existing !== undefined && !existing.equals(bytes)) {
        throw new ExitError(ExitCode.failure, `${file} exists and differs from model "${context.args.name}" in the Model Manager; nothing was written`, {
          hint: 'pass --force to replace it, or --out another folder',
        });
      }
      for (const warning of contract.warnings) runtime.logger.warn(`${context.args.name}: ${warning}`);
    };
    let result;
    try {
      result = await client.downloadModel(context.args.name, { directory, signal: runtime.signal, verify });
    } catch (error) {
      if (isMlmmModelNotFoundError(error)) {
        throw new ExitError(ExitCode.failure, `no model named "${context.args.name}" in the Model Manager`, { cause: error, hint: 'see `dga models list`' });
      }
      throw error;
    }
    const { stat } = await import('node:fs/promises');
    const bytes = (await stat(result.file)).size;
    await writeOut(
      runtime.stdout,
      context.args.json === true ? JSON.stringify({ name: result.name, engine: result.engine, file: result.file, bytes }) + '\n' : `${result.file}\n`,
    );
  },
});

export default defineCommand({
  meta: { name: 'models', description: "Browse Devo's Model Manager: list, get, download" },
  args: globalArgs,
  subCommands: {
    list: list as unknown as CommandDef<ArgsDef>,
    get: get as unknown as CommandDef<ArgsDef>,
    download: download as unknown as CommandDef<ArgsDef>,
  },
}) as unknown as CommandDef<ArgsDef>;
