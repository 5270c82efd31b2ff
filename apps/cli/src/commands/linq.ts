import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { DEFAULT_FEATURE_SET, featureSetNames, type PslMode } from '@dga/features';
import { UsageError } from '../exit-error';
import { globalArgs } from '../global-args';
import { classificationQueryArgs, classificationQueryOf } from '../internal/classification-query';
import { decisionThreshold, loadModelInfo, type LoadedModelInfo } from '../internal/model-info';
import { parseThreshold } from '../internal/parse-flags';
import { runtimeOf, writeOut } from '../runtime';

export default defineCommand({
  meta: { name: 'linq', description: 'Print the corrected Devo classification query (LINQ) for a model' },
  args: {
    model: { type: 'string', alias: 'm', description: 'ONNX model whose metadata names the feature set', valueHint: 'model.onnx' },
    features: { type: 'enum', options: [...featureSetNames], description: 'Feature set (when no --model; default bigram)' },
    name: { type: 'string', description: 'Model name in Devo\'s Model Manager (default: dga_classifier_<feature set>)', valueHint: 'name' },
    table: { type: 'string', description: 'Devo table', default: 'demo.ecommerce.data', valueHint: 'table' },
    field: { type: 'string', description: 'Field holding the URL or host', default: 'referralUri', valueHint: 'field' },
    'field-kind': { type: 'enum', options: ['url', 'host'], description: 'Whether --field holds URLs or host names', default: 'url' },
    domain: { type: 'string', description: 'Devo domain the model is registered in (env DEVO_DOMAIN)', valueHint: 'domain' },
    threshold: { type: 'string', description: 'isMalicious when P(DGA) >= threshold (default: the threshold recorded in --model, else 0.5)', valueHint: '0..1' },
    ...classificationQueryArgs,
    json: { type: 'boolean', description: 'Print {"query": …} as JSON' },
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    let featureSet = args.features;
    parseThreshold(args.threshold);
    let pslMode: PslMode = 'all';
    let info: LoadedModelInfo | undefined;
    if (args.model !== undefined) {
      info = await loadModelInfo(args.model, runtime);
      pslMode = info.pslMode;
      if (featureSet !== undefined && featureSet !== info.featureSet) {
        throw new UsageError(`--features ${featureSet} contradicts --model ${args.model}, which was trained on "${info.featureSet}"`);
      }
      featureSet = info.featureSet;
    }
    featureSet ??= DEFAULT_FEATURE_SET;
    const query = classificationQueryOf(args, featureSet, decisionThreshold(args.threshold, info), runtime.env);
    // The query cannot choose Devo's PSL rules: it relies on rootsuffix applying the ones the labels were trained with.
    if (args.model !== undefined) runtime.logger.info(`the model's labels use ${pslMode === 'all' ? 'every PSL rule (ICANN + private)' : 'ICANN PSL rules only'}; \`dga devo probe\` checks that Devo's rootsuffix does the same`);
    await writeOut(runtime.stdout, args.json === true ? JSON.stringify({ query, featureSet, pslMode }) + '\n' : query + '\n');
  },
}) as unknown as CommandDef<ArgsDef>;
