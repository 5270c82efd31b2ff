import { availableParallelism, loadavg } from 'node:os';
import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { UsageError } from '../exit-error';
import { globalArgs } from '../global-args';
import { quoteInput } from '@dga/features';
import type { OnnxClassifier } from '@dga/onnx-export';
import { DEFAULT_CLASSIFY_BATCH_SIZE, type ClassifyBatchOptions } from '../internal/classify-batch';
import { createChunkScorer, createClassifyOutput, MAX_REPORTED_PROBLEMS, type RenderedRecords } from '../internal/classify-output';
import { classifyInParallel, DEFAULT_CHUNK_BYTES, defaultClassifyWorkers, spawnClassifyWorkers, stopClassifyWorkers, type SpawnedClassifyWorker } from '../internal/classify-workers';
import type { InputChunk } from '../internal/input-lines';
import { inputFileBytes, readInputChunks } from '../internal/inputs';
import { decisionThreshold, loadModelInfo, openClassifier } from '../internal/model-info';
import { parseNumberFlag, parseThreshold, positionals } from '../internal/parse-flags';
import { formatNumber, type RowFormat } from '../internal/render';
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
    threshold: { type: 'string', description: 'Verdict DGA when P(DGA) >= threshold (default: the threshold recorded in the model, else 0.5)', valueHint: '0..1' },
    'batch-size': { type: 'string', description: 'Rows per ONNX Runtime call', default: String(DEFAULT_CLASSIFY_BATCH_SIZE), valueHint: 'n' },
    format: { type: 'enum', options: ['table', 'json', 'csv'], description: 'Output: aligned table, NDJSON or CSV (default table)' },
    json: { type: 'boolean', description: 'NDJSON on stdout (same as --format json)' },
    workers: { type: 'string', description: 'Worker threads scoring --file or stdin input beside the main thread (default: one per idle core beyond the first, at most 4, none unless 2 are idle; 0: all on the main thread)', valueHint: 'n' },
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    // Checked before reading the model, so a bad flag fails fast; the model may supply the default.
    parseThreshold(args.threshold);
    const batchSize = parseNumberFlag(args['batch-size'], 'batch-size', { integer: true, min: 1, max: 1_000_000 }) ?? DEFAULT_CLASSIFY_BATCH_SIZE;
    const format = outputFormat(args.format, args.json);
    const inputs = readInputChunks({
      args: positionals(args),
      file: args.file,
      column: args.column,
      delimiter: args.delimiter,
      stdin: runtime.stdin,
      cwd: runtime.cwd,
      signal: runtime.signal,
    });
    const workers = positionals(args).length > 0 ? 0 : (parseNumberFlag(args.workers, 'workers', { integer: true, min: 0, max: 256 }) ?? defaultClassifyWorkers(availableParallelism(), loadavg()[0]!));
    // A file of a chunk or more starts the workers: start them now, so they load their modules
    // while this thread loads the model.
    const spawned: SpawnedClassifyWorker[] | undefined = workers > 0 && inputFileBytes(args.file, runtime.cwd) >= DEFAULT_CHUNK_BYTES ? spawnClassifyWorkers(workers) : undefined;
    const model = await loadModelInfo(args.model, runtime).catch(async (error: unknown) => {
      // A model that cannot be read ends the run: the workers started for it end too.
      if (spawned !== undefined) await stopClassifyWorkers(spawned);
      throw error;
    });
    const threshold = decisionThreshold(args.threshold, model);
    runtime.logger.debug('model loaded', { model: model.path, featureSet: model.featureSet, inputs: model.inputSize });
    const batch: ClassifyBatchOptions = { featureSet: model.featureSet, psl: model.pslMode, outputSize: model.outputSize, threshold, batchSize };
    const output = createClassifyOutput(format);
    const started = performance.now();
    let count = 0;
    let dga = 0;
    let unlabelled = 0;
    let idn = 0;
    const task = runtime.progress.start('classifying', { unit: 'items' });
    // Output is written once per batch (a model call, or what arrived within a second when input
    // trickles in), so stdout sees few large writes and `tail -f log | dga classify` shows rows.
    // On an interrupt the rows already read come as a last batch, then the loop throws.
    // This thread scores its share of the chunks beside the workers (all of them with --workers 0,
    // for arguments, and while the workers start), with its own session opened on first use.
    let here: { score: (chunk: InputChunk) => Promise<RenderedRecords>; classifier: OnnxClassifier } | undefined;
    const scoreHere = async (chunk: InputChunk): Promise<RenderedRecords> => {
      if (here === undefined) {
        const classifier = await openClassifier(model, { batchSize });
        here = { classifier, score: createChunkScorer(classifier, batch, format) };
      }
      return here.score(chunk);
    };
    const chunks = classifyInParallel(inputs, {
      workers,
      spawned,
      signal: runtime.signal,
      scoreHere,
      worker: { model: model.bytes, modelName: model.path, batch, format, intraOpNumThreads: 1 },
    });
    let text = output.header();
    try {
      for await (const chunk of chunks) {
        for (const problem of chunk.problems.slice(0, Math.max(0, MAX_REPORTED_PROBLEMS - unlabelled))) {
          runtime.logger.warn(`${quoteInput(problem.input)}: ${problem.error}`);
        }
        count += chunk.count;
        dga += chunk.dga;
        unlabelled += chunk.unlabelled;
        idn += chunk.idn;
        if (text !== '') await writeOut(runtime.stdout, text);
        text = '';
        await writeOut(runtime.stdout, chunk.text);
        task.update(count);
      }
      // No input at all: the table or CSV header alone.
      if (text !== '') await writeOut(runtime.stdout, text);
    } finally {
      await here?.classifier.dispose();
    }
    task.done(`classified ${count} input${count === 1 ? '' : 's'}: ${dga} DGA at threshold ${formatNumber(threshold)}${idn === 0 ? '' : `, ${idn} IDN not scored`}`);
    if (unlabelled > MAX_REPORTED_PROBLEMS) runtime.logger.warn(`${unlabelled} inputs had no registrable label (first ${MAX_REPORTED_PROBLEMS} shown)`);
    if (idn > 0) runtime.logger.warn(`${idn} input${idn === 1 ? ' has an IDN label' : 's have IDN labels'} (xn--…), not scored: the model does not judge punycode (verdict IDN)`);
    runtime.logger.debug('classify throughput', { perSecond: Math.round(count / ((performance.now() - started) / 1000)) });
  },
}) as unknown as CommandDef<ArgsDef>;

