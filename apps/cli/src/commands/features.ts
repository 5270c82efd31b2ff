import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { featureSetNames, getFeatureSet, quoteInput, tryExtractLabel, type FeatureSetName } from '@dga/features';
import { globalArgs } from '../global-args';
import { readInputs } from '../internal/inputs';
import { createRowWriter } from '../internal/render';
import { positionals } from '../internal/parse-flags';
import { runtimeOf, writeOut } from '../runtime';
import { featureSetOfModel } from '../internal/model-info';

/** One record of `dga features --json`: the contract field names, then any extra features. */
export interface FeaturesRecord {
  input: string;
  label: string | null;
  [feature: string]: string | number | null;
}

/**
 * Featurizes inputs lazily: for each, the label extracted (null when none can be) and the
 * features by name (`length`, `entropy`, `vowel_proportion`, …) in the set's order.
 */
export async function* featurizeInputs(
  inputs: AsyncIterable<{ value: string }>,
  featureSetName: FeatureSetName,
): AsyncGenerator<FeaturesRecord & { error?: string }> {
  const set = getFeatureSet(featureSetName);
  const buffer = new Float64Array(set.size);
  for await (const { value } of inputs) {
    const label = tryExtractLabel(value);
    const record: FeaturesRecord & { error?: string } = { input: value, label: label ?? null };
    if (label === undefined || label === '') {
      for (const name of set.featureNames) record[name] = null;
      record.error = 'no registrable label could be extracted';
    } else {
      set.compute(label, buffer);
      set.featureNames.forEach((name, index) => {
        record[name] = buffer[index]!;
      });
    }
    yield record;
  }
}

export default defineCommand({
  meta: { name: 'features', description: 'Show the label extracted from domains, URLs or hosts, and its features' },
  args: {
    inputs: { type: 'positional', required: false, description: 'Domains, URLs or hosts (else --file or stdin)', valueHint: 'input…' },
    file: { type: 'string', description: 'Read inputs from FILE, one a line (or a CSV with --column); - is stdin', valueHint: 'file' },
    column: { type: 'string', description: 'CSV column holding the inputs', valueHint: 'name' },
    delimiter: { type: 'string', description: 'CSV delimiter (default: detected from the header)', valueHint: 'char' },
    features: { type: 'enum', options: [...featureSetNames], description: 'Feature set (default tutorial, or the one of --model)' },
    model: { type: 'string', alias: 'm', description: 'Use the feature set recorded in this ONNX model', valueHint: 'model.onnx' },
    json: { type: 'boolean', description: 'NDJSON on stdout: one object a line' },
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    const featureSetName: FeatureSetName =
      args.features ??
      (args.model === undefined ? 'tutorial' : await featureSetOfModel(args.model, runtime));
    const set = getFeatureSet(featureSetName);
    const format = args.json === true ? 'json' : 'table';
    const writer = createRowWriter(format, [
      ...set.featureNames.map((name) => ({ key: name, width: Math.max(name.length, 7), align: 'right' as const })),
      { key: 'label', width: 20 },
      { key: 'input' },
    ]);
    const inputs = readInputs({
      args: positionals(args),
      file: args.file,
      column: args.column,
      delimiter: args.delimiter,
      stdin: runtime.stdin,
      cwd: runtime.cwd,
      signal: runtime.signal,
    });
    let count = 0;
    let failed = 0;
    for await (const record of featurizeInputs(inputs, featureSetName)) {
      if (count === 0) await writeOut(runtime.stdout, writer.header());
      count += 1;
      if (record.error !== undefined) {
        failed += 1;
        runtime.logger.warn(`no label in ${quoteInput(record.input)}: it is not a domain, URL or host name`);
      }
      const fields = { ...record };
      delete fields.error;
      await writeOut(runtime.stdout, writer.row(format === 'json' ? fields : { ...fields, label: fields.label ?? '(none)' }));
    }
    runtime.logger.debug('features done', { inputs: count, withoutLabel: failed, featureSet: featureSetName });
  },
}) as unknown as CommandDef<ArgsDef>;
