import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import type { FeatureSetName } from '@dga/features';
import { ExitCode, ExitError } from '../exit-error';
import { devoArgs, globalArgs, mlmmArgs } from '../global-args';
import { runDevoProbe, type DevoProbeOptions, type ProbeCheck } from '../internal/devo-probe';
import { createMlmm, mlmmConfigFrom } from '../internal/mlmm';
import { queryApiArgs, queryConfigFrom, startQuery, type QueryApiFlags } from '../internal/query-api';
import { loadModelInfo } from '../internal/model-info';
import { createRowWriter, valueText } from '../internal/render';
import { runtimeOf, writeOut, type CommandRuntime } from '../runtime';
import { VERSION } from '../version';

function shown(value: unknown): string {
  return value === undefined ? '(absent)' : value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : valueText(value);
}

async function queryRunner(args: QueryApiFlags & { from?: string | undefined }, runtime: CommandRuntime): Promise<DevoProbeOptions['runQuery']> {
  const config = queryConfigFrom(args, runtime);
  const { createQueryClient } = await import('@dga/devo-query');
  const client = createQueryClient({
    url: config.url,
    auth: config.auth.type === 'token' ? { type: 'token', token: config.auth.token } : { type: 'apiKey', apiKey: config.auth.apiKey, apiSecret: config.auth.apiSecret },
    userAgent: `@dga/cli/${VERSION}`,
  });
  const from = args.from ?? 'now()-1*day()';
  return (linq) => {
    runtime.logger.debug('probe query', { linq });
    return startQuery(() => client.query({ query: linq, from, to: 'now()', signal: runtime.signal }));
  };
}

const probe = defineCommand({
  meta: { name: 'probe', description: 'Check on your Devo domain what the classification query assumes about LINQ (and the registered model)' },
  args: {
    table: { type: 'string', description: 'A table with events in the time range', default: 'demo.ecommerce.data', valueHint: 'table' },
    from: { type: 'string', description: 'Start of the time range (default now()-1*day())', valueHint: 'from' },
    model: { type: 'string', alias: 'm', description: 'The local ONNX model: its PSL mode and feature set, and scores to compare with mlevalmodel', valueHint: 'model.onnx' },
    name: { type: 'string', description: 'Registered model name (default dga_classifier_<feature set>)', valueHint: 'name' },
    domain: { type: 'string', description: 'Devo domain of the model (env DEVO_DOMAIN; default self)', valueHint: 'domain' },
    psl: { type: 'enum', options: ['all', 'icann'], description: 'PSL mode to check when no --model is given (default all)' },
    json: { type: 'boolean', description: 'Print { ok, checks } as one JSON document' },
    ...queryApiArgs,
    ...mlmmArgs,
    ...devoArgs,
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    const runQuery = await queryRunner(args, runtime);
    let model: DevoProbeOptions['model'];
    let dispose: (() => Promise<void>) | undefined;
    if (args.model !== undefined) {
      const info = await loadModelInfo(args.model, runtime);
      const featureSet: FeatureSetName = info.featureSet;
      const name = args.name ?? `dga_classifier_${featureSet}`;
      const mlmm = await createMlmm(mlmmConfigFrom(args, runtime), runtime);
      if ((await mlmm.findModel(name, { signal: runtime.signal })) === null) {
        throw new ExitError(ExitCode.failure, `model "${name}" is not registered in Devo's Model Manager`, {
          hint: `register it with \`dga register --model ${args.model} --name ${name}\`, or pass --name with a registered model (dga models list)`,
        });
      }
      const { createOnnxClassifier } = await import('@dga/onnx-export');
      const classifier = await createOnnxClassifier(info.bytes, {});
      dispose = () => classifier.dispose();
      model = { name, domain: args.domain ?? runtime.env['DEVO_DOMAIN'] ?? 'self', featureSet, psl: info.pslMode, predict: (rows) => classifier.predict(rows) };
    }
    let checks: ProbeCheck[];
    try {
      checks = await runDevoProbe({ runQuery, table: args.table, ...(model === undefined ? {} : { model }), psl: (args.psl ?? 'all') });
    } finally {
      await dispose?.();
    }
    const failed = checks.filter((check) => check.relied && !check.ok);
    if (args.json === true) {
      await writeOut(runtime.stdout, JSON.stringify({ ok: failed.length === 0, checks }) + '\n');
    } else {
      const writer = createRowWriter('table', [
        { key: 'assumption', width: 60 },
        { key: 'expected', width: 20 },
        { key: 'observed', width: 20 },
        { key: 'ok', width: 4 },
      ]);
      let text = writer.header();
      for (const check of checks) {
        text += writer.row({ assumption: check.assumption, expected: shown(check.expected), observed: shown(check.observed), ok: check.ok ? 'yes' : check.relied ? 'NO' : 'no' });
      }
      await writeOut(runtime.stdout, text);
      if (model === undefined) runtime.logger.info('pass --model (and --name) to also check the registered model against local ONNX Runtime');
    }
    if (failed.length > 0) {
      throw new ExitError(ExitCode.failure, `${failed.length} assumption(s) the classification query relies on failed: ${failed.map((check) => check.id).join(', ')}`, {
        hint: [...new Set(failed.map((check) => check.fix))].join('; '),
      });
    }
  },
});

const devo: CommandDef<ArgsDef> = defineCommand({
  meta: { name: 'devo', description: 'Check a Devo domain against what the classification query assumes' },
  subCommands: { probe: probe as unknown as CommandDef<ArgsDef> },
});
export default devo;
