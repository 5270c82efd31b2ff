import { isIdnLabel } from '@dga/features';
import { createByteWriter, type ByteWriter } from './byte-writer';
import { CONTRACT_SIZE, createClassifyBatch, recordAt, type ClassifyBatchOptions, type ClassifyRecord, type RowPredictor, type ScoredBatch } from './classify-batch';
import { inputLinesOfBytes, type InputChunk } from './input-lines';
import { createNumberTexts } from './number-texts';
import { createRowWriter, csvField, type RowFormat } from './render';

/**
 * The rows of some classified inputs as UTF-8 bytes, with the counts the command reports. Worker
 * threads transfer the bytes (moved, not copied) and the main thread writes them as they are.
 */
export interface RenderedRecords {
  text: Uint8Array;
  /** Records rendered. */
  count: number;
  /** Records with a DGA verdict. */
  dga: number;
  /** Records without a verdict because they have no registrable label. */
  unlabelled: number;
  /** Records not scored because their label is an IDN label. */
  idn: number;
  /** The first {@link MAX_REPORTED_PROBLEMS} records without a registrable label, with why. */
  problems: { input: string; error: string }[];
}

/** How many inputs without a verdict `dga classify` names on stderr. */
export const MAX_REPORTED_PROBLEMS = 10;

/** The counts of {@link RenderedRecords}, as rows are written. */
type Tally = Omit<RenderedRecords, 'text'>;

/** Renders `dga classify` rows as a table, NDJSON or CSV (the same bytes on any thread). */
export interface ClassifyOutput {
  /** The table or CSV header ('' for NDJSON). */
  header(): string;
  /** Writes the rows of `scored` to `writer`, counting them in `tally`. */
  write(scored: ScoredBatch, writer: ByteWriter, tally: Tally): void;
}

/**
 * The output of `dga classify` in `format`: the table shows verdict, P(dga), label and input;
 * CSV and NDJSON carry the contract fields, the same bytes as `createRowWriter` renders for the
 * records (`ClassifyRecord`), written without building them.
 */
export function createClassifyOutput(format: RowFormat): ClassifyOutput {
  const writer = createRowWriter(format, format === 'csv' ? csvColumns : tableColumns);
  const row = format === 'csv' ? csvRow : format === 'json' ? jsonRow : (bytes: ByteWriter, scored: ScoredBatch, index: number, at: number) => bytes.text(writer.row(humanRow(recordAt(scored, index, at))));
  return {
    header: () => writer.header(),
    write(scored, bytes, tally) {
      let at = 0;
      for (let index = 0; index < scored.count; index++) {
        const error = scored.errors[index];
        if (error === undefined) {
          if (scored.outputs[at * scored.outputSize + 1]! >= scored.threshold) tally.dga += 1;
        } else if (scored.labels[index] !== null) {
          tally.idn += 1;
        } else {
          tally.unlabelled += 1;
          if (tally.problems.length < MAX_REPORTED_PROBLEMS) tally.problems.push({ input: scored.inputs[index]!, error });
        }
        row(bytes, scored, index, at);
        if (error === undefined) at += 1;
      }
      tally.count += scored.count;
    },
  };
}

const csvColumns = [
  { key: 'input' },
  { key: 'label' },
  { key: 'length' },
  { key: 'entropy' },
  { key: 'vowel_proportion' },
  { key: 'probability' },
  { key: 'malicious' },
  { key: 'error' },
] as const;

/** The text of `length`, `entropy` and `vowel_proportion` (the probability is seldom the same twice). */
const numberText = createNumberTexts();
const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;

/** A CSV text cell: as is when plain ASCII, else through `csvField` (quoted when needed). */
function csvText(bytes: ByteWriter, value: string | null | undefined): void {
  if (value === null || value === undefined) return;
  if (!bytes.plainAscii(value, QUOTE, COMMA)) bytes.text(csvField(value));
}

/** A CSV number cell of a feature (`''` when the set has no such feature). */
function csvFeature(bytes: ByteWriter, scored: ScoredBatch, at: number, slot: number): void {
  if (slot !== -1) bytes.plainAscii(numberText(scored.contract[at * CONTRACT_SIZE + slot]!), QUOTE, COMMA);
}

/**
 * A CSV row of {@link csvColumns}: the bytes of the generic row writer's `csvField` per column
 * (numbers and booleans are never quoted, so only the text cells are checked).
 */
function csvRow(bytes: ByteWriter, scored: ScoredBatch, index: number, at: number): void {
  csvText(bytes, scored.inputs[index]);
  bytes.byte(COMMA);
  csvText(bytes, scored.labels[index]);
  bytes.byte(COMMA);
  const error = scored.errors[index];
  if (error === undefined) {
    csvFeature(bytes, scored, at, scored.lengthAt);
    bytes.byte(COMMA);
    csvFeature(bytes, scored, at, scored.entropyAt);
    bytes.byte(COMMA);
    csvFeature(bytes, scored, at, scored.vowelsAt);
    bytes.byte(COMMA);
    const probability = scored.outputs[at * scored.outputSize + 1]!;
    bytes.text(String(probability));
    bytes.byte(COMMA);
    bytes.text(probability >= scored.threshold ? 'true' : 'false');
    bytes.byte(COMMA);
  } else {
    bytes.text(',,,,,');
    csvText(bytes, error);
  }
  bytes.byte(NEWLINE);
}

/** A JSON string: as is between quotes when plain ASCII, else through `JSON.stringify`. */
function jsonText(bytes: ByteWriter, value: string | null): void {
  if (value === null) {
    bytes.text('null');
  } else {
    bytes.byte(QUOTE);
    // On refusal nothing was written after the opening quote: the escaped text goes there.
    if (bytes.plainAscii(value, QUOTE, BACKSLASH)) bytes.byte(QUOTE);
    else bytes.text(JSON.stringify(value).slice(1));
  }
}

/** A JSON number, as `JSON.stringify` prints it (`null` when not finite). */
function jsonNumber(bytes: ByteWriter, value: number): void {
  bytes.text(Number.isFinite(value) ? numberText(value) : 'null');
}

function jsonFeature(bytes: ByteWriter, scored: ScoredBatch, at: number, slot: number): void {
  if (slot === -1) bytes.text('null');
  else jsonNumber(bytes, scored.contract[at * CONTRACT_SIZE + slot]!);
}

/** An NDJSON line: the bytes of `JSON.stringify(record)` for the record of input `index`. */
function jsonRow(bytes: ByteWriter, scored: ScoredBatch, index: number, at: number): void {
  bytes.text('{"input":');
  jsonText(bytes, scored.inputs[index]!);
  bytes.text(',"label":');
  jsonText(bytes, scored.labels[index]!);
  const error = scored.errors[index];
  if (error === undefined) {
    bytes.text(',"length":');
    jsonFeature(bytes, scored, at, scored.lengthAt);
    bytes.text(',"entropy":');
    jsonFeature(bytes, scored, at, scored.entropyAt);
    bytes.text(',"vowel_proportion":');
    jsonFeature(bytes, scored, at, scored.vowelsAt);
    const probability = scored.outputs[at * scored.outputSize + 1]!;
    bytes.text(',"probability":');
    bytes.text(Number.isFinite(probability) ? String(probability) : 'null');
    bytes.text(probability >= scored.threshold ? ',"malicious":true}\n' : ',"malicious":false}\n');
  } else {
    bytes.text(',"length":null,"entropy":null,"vowel_proportion":null,"probability":null,"malicious":null,"error":');
    jsonText(bytes, error);
    bytes.text('}\n');
  }
}

const tableColumns = [
  { key: 'verdict', width: 7 },
  { key: 'probability', title: 'P(dga)', width: 8, align: 'right' },
  { key: 'label', width: 24 },
  { key: 'input' },
] as const;

function humanRow(record: ClassifyRecord): Record<string, unknown> {
  return {
    verdict: record.malicious === null ? (record.label !== null && isIdnLabel(record.label) ? 'IDN' : '-') : record.malicious ? 'DGA' : 'legit',
    probability: record.probability === null ? '' : record.probability.toFixed(4),
    label: record.label ?? '(no label)',
    input: record.input,
  };
}

/**
 * Scores chunks of inputs (see `createInputChunker`) with `model` and renders them in `format`: what a classify worker does
 * with each chunk it gets, and the main thread with the chunks it scores itself. Call it for one
 * chunk at a time (the batch's buffers are reused).
 */
export function createChunkScorer(model: RowPredictor, options: ClassifyBatchOptions, format: RowFormat): (chunk: InputChunk) => Promise<RenderedRecords> {
  const batch = createClassifyBatch(options);
  const output = createClassifyOutput(format);
  const bytes = createByteWriter();
  return async (chunk) => {
    const inputs = chunk instanceof Uint8Array ? inputLinesOfBytes(chunk) : chunk;
    const tally: Tally = { count: 0, dga: 0, unlabelled: 0, idn: 0, problems: [] };
    const write = (scored: ScoredBatch) => output.write(scored, bytes, tally);
    // An indexed loop: `for … of` across the awaits allocates an iterator result per input.
    for (let index = 0; index < inputs.length; index++) {
      if (batch.add(inputs[index]!)) await batch.run(model, write);
    }
    if (batch.size > 0) await batch.run(model, write);
    return { text: bytes.take(), ...tally };
  };
}
