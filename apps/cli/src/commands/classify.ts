import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { isIdnLabel } from '@dga/features';
import { UsageError } from '../exit-error';
import { globalArgs } from '../global-args';
import { classifyBatches, type ClassifyRecord } from '../internal/classify-stream';
import { readInputs } from '../internal/inputs';
import { loadModelInfo, openClassifier } from '../internal/model-info';
import { parseNumberFlag, parseThreshold, positionals } from '../internal/parse-flags';
import { createRowWriter, type RowFormat } from '../internal/render';
import { runtimeOf, writeOut } from '../runtime';

/** Picks the output format from `--format` and `--json`. */
export function outputFormat(format: string | undefined, json: boolean | undefined): RowFormat {
  if (json === true && format !== undefined && format !== 'json') {
    throw new UsageError(`--json contradicts --format ${format}`);
  }
  if (json === true) return 'json';
  return (format as RowFormat | undefined) ?? 'table';
}

export default defineCommand({
  meta: { name: 'classify', description: 'Classify domains, URLs or hosts with an ONNX model (streams any file in constant memory)' },
  args: {
    inputs: { type: 'positional', required: false, description: 'Domains, URLs or hosts (else --file or stdin)', valueHint: 'input…' },
    model: { type: 'string', alias: 'm', required: true, description: 'The ONNX model (or a run directory holding model.onnx)', valueHint: 'model.onnx' },
    file: { type: 'string', description: 'Read inputs from FILE, one a line (or a CSV with --column); - is stdin', valueHint: 'file' },
    column: { type: 'string', description: 'CSV column holding the inputs', valueHint: 'name' },
    delimiter: { type: 'string', description: 'CSV delimiter (default: detected from the header)', valueHint: 'char' },
    threshold: { type: 'string', description: 'Verdict DGA when P(DGA) >= threshold', default: '0.5', valueHint: '0..1' },
    'batch-size': { type: 'string', description: 'Rows per ONNX Runtime call', default: '4096', valueHint: 'n' },
    format: { type: 'enum', options: ['table', 'json', 'csv'], description: 'Output: aligned table, NDJSON or CSV (default table)' },
    json: { type: 'boolean', description: 'NDJSON on stdout (same as --format json)' },
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    const threshold = parseThreshold(args.threshold) ?? 0.5;
    const batchSize = parseNumberFlag(args['batch-size'], 'batch-size', { integer: true, min: 1, max: 1_000_000 }) ?? 4096;
    const format = outputFormat(args.format, args.json);
    const inputs = readInputs({
      args: positionals(args),
      file: args.file,
      column: args.column,
      delimiter: args.delimiter,
      stdin: runtime.stdin,
      cwd: runtime.cwd,
      signal: runtime.signal,
    });
    const model = await loadModelInfo(args.model, runtime);
    const classifier = await openClassifier(model, { batchSize });
    runtime.logger.debug('model loaded', { model: model.path, featureSet: model.featureSet, inputs: model.inputSize });
    const writer = createRowWriter(format, [
      { key: 'verdict', width: 7 },
      { key: 'probability', title: 'P(dga)', width: 8, align: 'right' },
      { key: 'label', width: 24 },
      { key: 'input' },
    ]);
    const csvWriter = createRowWriter('csv', [
      { key: 'input' },
      { key: 'label' },
      { key: 'length' },
      { key: 'entropy' },
      { key: 'vowel_proportion' },
      { key: 'probability' },
      { key: 'malicious' },
      { key: 'error' },
    ]);
    const active = format === 'csv' ? csvWriter : writer;
    const started = performance.now();
    let count = 0;
    let dga = 0;
    let unlabelled = 0;
    let idn = 0;
    const task = runtime.progress.start('classifying', { unit: 'items' });
    // Output is written once per batch (a model call, or what arrived within a second when input
    // trickles in), so stdout sees few large writes and `tail -f log | dga classify` shows rows.
    // On an interrupt the rows already read come as a last batch, then the loop throws.
    let chunk = active.header();
    try {
      for await (const records of classifyBatches(inputs, classifier, {
        featureSet: model.featureSet,
        psl: model.pslMode,
        outputSize: model.outputSize,
        threshold,
        batchSize,
        signal: runtime.signal,
      })) {
        for (const record of records) {
          count += 1;
          if (record.malicious === true) dga += 1;
          if (record.error !== undefined && record.label !== null) {
            idn += 1;
          } else if (record.error !== undefined) {
            unlabelled += 1;
            if (unlabelled <= 10) runtime.logger.warn(`${JSON.stringify(record.input)}: ${record.error}`);
          }
          chunk += active.row(format === 'table' ? humanRow(record) : (record as unknown as Record<string, unknown>));
        }
        await writeOut(runtime.stdout, chunk);
        chunk = '';
        task.update(count);
      }
      // No input at all: the table or CSV header alone.
      if (chunk !== '') await writeOut(runtime.stdout, chunk);
    } finally {
      await classifier.dispose();
    }
    task.done(`classified ${count} input${count === 1 ? '' : 's'}: ${dga} DGA at threshold ${threshold}${idn === 0 ? '' : `, ${idn} IDN not scored`}`);
    if (unlabelled > 10) runtime.logger.warn(`${unlabelled} inputs had no registrable label (first 10 shown)`);
    if (idn > 0) runtime.logger.warn(`${idn} input${idn === 1 ? ' has an IDN label' : 's have IDN labels'} (xn--…), not scored: the model does not judge punycode (verdict IDN)`);
    runtime.logger.debug('classify throughput', { perSecond: Math.round(count / ((performance.now() - started) / 1000)) });
  },
}) as unknown as CommandDef<ArgsDef>;

function humanRow(record: ClassifyRecord): Record<string, unknown> {
  return {
    verdict: record.malicious === null ? (record.label !== null && isIdnLabel(record.label) ? 'IDN' : '-') : record.malicious ? 'DGA' : 'legit',
    probability: record.probability === null ? '' : record.probability.toFixed(4),
    label: record.label ?? '(no label)',
    input: record.input,
  };
}
