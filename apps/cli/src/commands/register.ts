import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { ExitCode, ExitError } from '../exit-error';
import { devoArgs, globalArgs, mlmmArgs } from '../global-args';
import { loadModelInfo } from '../internal/model-info';
import { createMlmm, mlmmConfigFrom } from '../internal/mlmm';
import { runtimeOf, writeOut } from '../runtime';

export default defineCommand({
  meta: { name: 'register', description: "Upload an ONNX model to Devo's Model Manager" },
  args: {
    model: { type: 'string', alias: 'm', required: true, description: 'The ONNX model (or a run directory)', valueHint: 'model.onnx' },
    name: { type: 'string', required: true, description: 'Model name in Devo (used by mlevalmodel)', valueHint: 'name' },
    description: { type: 'string', description: 'Description shown in Devo', valueHint: 'text' },
    force: { type: 'boolean', description: 'Overwrite an existing model of the same name' },
    json: { type: 'boolean', description: 'Print {name, action, imageId, …} as JSON' },
    ...mlmmArgs,
    ...devoArgs,
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    const model = await loadModelInfo(args.model, runtime);
    const config = mlmmConfigFrom(args, runtime);
    const client = await createMlmm(config, runtime);
    const { isMlmmModelAlreadyExistsError } = await import('@dga/mlmm-client');
    const fileName = `${args.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.onnx`;
    let result;
    try {
      result = await client.addModel(args.name, 'ONNX', model.bytes, {
        fileName,
        ...(args.description === undefined ? { description: `DGA classifier (feature set ${model.featureSet})` } : { description: args.description }),
        ...(args.force === true ? { force: true } : {}),
        signal: runtime.signal,
      });
    } catch (error) {
      if (isMlmmModelAlreadyExistsError(error)) {
        throw new ExitError(ExitCode.failure, `a model named "${args.name}" already exists in the Model Manager at ${config.url}`, {
          cause: error,
          hint: 'pass --force to replace it, or choose another --name',
        });
      }
      throw error;
    }
    const summary = {
      name: args.name,
      action: result.action,
      featureSet: model.featureSet,
      bytes: model.bytes.length,
      imageId: result.review.imageId ?? null,
      url: config.url,
    };
    runtime.logger.info(`${result.action === 'created' ? 'registered' : 'replaced'} model "${args.name}"`, { bytes: summary.bytes });
    await writeOut(
      runtime.stdout,
      args.json === true
        ? JSON.stringify(summary) + '\n'
        : `${result.action === 'created' ? 'Registered' : 'Updated'} "${args.name}" (ONNX, feature set ${model.featureSet}, ${summary.bytes} bytes).\n` +
            `Next: dga linq --model ${args.model} --name ${args.name}   (the query to run in Devo)\n`,
    );
  },
}) as unknown as CommandDef<ArgsDef>;
