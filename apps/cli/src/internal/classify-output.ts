import { isIdnLabel } from '@dga/features';
import { createClassifyBatch, type ClassifyBatchOptions, type ClassifyRecord, type RowPredictor } from './classify-batch';
import { createRowWriter, csvField, type RowFormat } from './render';

/**
 * The text of some classified records, with the counts the command reports. Worker threads send
 * the text as UTF-8 bytes (transferred, not copied: no string crosses the thread boundary or is
 * encoded again on the main thread).
 */
export interface RenderedRecords<Text extends string | Uint8Array = string> {
  text: Text;
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

/** Renders `dga classify` records as a table, NDJSON or CSV (the same bytes on any thread). */
export interface ClassifyOutput {
  /** The table or CSV header ('' for NDJSON). */
  header(): string;
  render(records: readonly ClassifyRecord[]): RenderedRecords;
}

/**
 * The output of `dga classify` in `format`: the table shows verdict, P(dga), label and input;
 * CSV and NDJSON carry the contract fields.
 */
export function createClassifyOutput(format: RowFormat): ClassifyOutput {
  const writer = createRowWriter(format, format === 'csv' ? csvColumns : tableColumns);
  const row = format === 'csv' ? csvRow : format === 'table' ? (record: ClassifyRecord) => writer.row(humanRow(record)) : (record: ClassifyRecord) => writer.row(record as unknown as Record<string, unknown>);
  return {
    header: () => writer.header(),
    render(records) {
      let text = '';
      let dga = 0;
      let unlabelled = 0;
      let idn = 0;
      const problems: { input: string; error: string }[] = [];
      for (const record of records) {
        if (record.malicious === true) dga += 1;
        if (record.error !== undefined && record.label !== null) {
          idn += 1;
        } else if (record.error !== undefined) {
          unlabelled += 1;
          if (problems.length < MAX_REPORTED_PROBLEMS) problems.push({ input: record.input, error: record.error });
        }
        text += row(record);
      }
      return { text, count: records.length, dga, unlabelled, idn, problems };
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

/** A number or boolean cell of {@link csvColumns}, as `csvField` renders it: never quoted. */
function plainCell(value: number | boolean | null): string {
  return value === null ? '' : String(value);
}

/**
 * A CSV row of {@link csvColumns}, the same bytes as the generic row writer's: only the text
 * columns can need quoting, so only they go through `csvField` (a third of the per-row cost).
 */
function csvRow(record: ClassifyRecord): string {
  return `${csvField(record.input)},${csvField(record.label)},${plainCell(record.length)},${plainCell(record.entropy)},${plainCell(record.vowel_proportion)},${plainCell(record.probability)},${plainCell(record.malicious)},${csvField(record.error)}\n`;
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
 * Scores chunks of inputs with `model` and renders them in `format`: what a classify worker does
 * with each chunk it gets, and the main thread with the chunks it scores itself. Call it for one
 * chunk at a time (the batch's buffers are reused).
 */
export function createChunkScorer(
  model: RowPredictor,
  options: ClassifyBatchOptions,
  format: RowFormat,
): (inputs: readonly string[]) => Promise<RenderedRecords> {
  const batch = createClassifyBatch(options);
  const output = createClassifyOutput(format);
  return async (inputs) => {
    let records: ClassifyRecord[] = [];
    for (const input of inputs) {
      if (batch.add(input)) records = records.concat(await batch.score(model));
    }
    if (batch.size > 0) records = records.concat(await batch.score(model));
    return output.render(records);
  };
}
