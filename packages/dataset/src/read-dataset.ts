import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { quoteInput, type PslMode } from '@dga/features';
import { DatasetError } from './dataset-error';
import {
  checkComplete,
  downloadToCache,
  openUrlStream,
  translateHttpError,
  type DatasetCacheStatus,
  type TransferState,
} from './internal/http-source';
import { splitLines } from './internal/split-lines';
import { validateRow, type Columns } from './internal/validate-row';
import { isUrlSource, redactUrl } from './resolve-dataset-source';

/** One labelled row of the dataset. */
export interface DatasetRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  /** The `host` column, without surrounding whitespace. */
  host: string;
  /** The `domain` column, without surrounding whitespace (the label the dataset's author computed). */
  domain: string;
  /**
   * The label to featurize: `extractLabel(host)` from `@dga/features`, exactly as `classify` and
   * the LINQ compute it (lowercase ASCII, IDNs as punycode, at most 63 characters, today's Public
   * Suffix List). When the host gives none (empty, or itself a public suffix under today's list),
   * the `domain` column normalised by `tryNormalizeLabel` (same lowercasing and punycode, no Public
   * Suffix List lookup: it already is a label).
   */
  label: string;
  /** Which column {@link DatasetRow.label} came from. */
  labelSource: 'host' | 'domain';
  /** The class is `dga` (case and surrounding spaces ignored). */
  malicious: boolean;
  /** `legit`, or the DGA family (`newgoz`, `cryptolocker`, ...), lowercased. */
  subclass: string;
}

/** Why a line was skipped. */
export type DatasetSkipCode =
  | 'empty-line'
  | 'line-too-long'
  | 'invalid-utf8'
  | 'short-row'
  | 'long-row'
  | 'empty-domain'
  | 'invalid-domain'
  | 'invalid-class'
  | 'empty-subclass'
  | 'idn-label';

/** A skipped line: its 1-based number and the reason. */
export interface DatasetSkip {
  line: number;
  code: DatasetSkipCode;
  reason: string;
}

/** Counts of one pass over a dataset, updated while iterating. */
export interface DatasetStats {
  /** Rows yielded. */
  rows: number;
  /** Lines skipped (every reason, including the deliberate drops `empty-subclass` and `idn-label`). */
  skipped: number;
  /** Skips per reason. */
  skippedByCode: Partial<Record<DatasetSkipCode, number>>;
  /** The first line numbers (up to 3) skipped for each reason. */
  skippedExamples: Partial<Record<DatasetSkipCode, number[]>>;
  /** Yielded rows with `malicious: true`. */
  malicious: number;
  /**
   * Yielded rows whose {@link DatasetRow.label} differs from the label of their `domain` column
   * (Public Suffix List drift since the file was built, or a broken `domain` column).
   */
  labelDisagreements: number;
  /** Yielded rows whose label came from the `domain` column because the host gave none. */
  labelsFromDomain: number;
}

/** Default of {@link ReadDatasetOptions.maxLineBytes}: far above any valid line (a host has at most 253 characters). */
export const DEFAULT_MAX_LINE_BYTES = 4096;

/** Default of {@link ReadDatasetOptions.maxSkippedFraction}. */
export const DEFAULT_MAX_SKIPPED_FRACTION = 0.1;

/** Options of {@link readDataset}. */
export interface ReadDatasetOptions {
  /**
   * Throw a `DatasetError` (`ERR_DATASET_INVALID_ROW`) on the first malformed line instead of
   * skipping it. Rows without a subclass are always dropped, as in the tutorial, strict or not.
   * @default false
   */
  strict?: boolean;
  /**
   * Lines longer than this many bytes are skipped (`line-too-long`) without being kept in
   * memory: time and memory stay linear whatever the input.
   * @default 4096 ({@link DEFAULT_MAX_LINE_BYTES})
   */
  maxLineBytes?: number;
  /**
   * A pass throws `ERR_DATASET_TOO_MANY_SKIPPED` as soon as more lines than this are skipped as
   * malformed (every reason but the deliberate drops `empty-subclass` and `idn-label`).
   * When set, {@link ReadDatasetOptions.maxSkippedFraction} does not apply.
   * @default undefined (the fraction limit applies)
   */
  maxSkippedRows?: number;
  /**
   * At the end of a pass, throw `ERR_DATASET_TOO_MANY_SKIPPED` when more than this fraction of the
   * data lines (header excluded) were skipped as malformed (every reason but `empty-subclass` and `idn-label`).
   * `1` disables the limit.
   * @default 0.1 ({@link DEFAULT_MAX_SKIPPED_FRACTION})
   */
  maxSkippedFraction?: number;
  /**
   * The Public Suffix List rules a row's label is extracted from its host with: `all` (ICANN and
   * private rules, as `classify` does by default) or `icann` (ICANN rules only, for models trained
   * with `psl: 'icann'`). Use the mode the model records (`dga.psl_mode`).
   * @default 'all'
   */
  psl?: PslMode;
  /** Stops reading (`ERR_DATASET_ABORTED`). */
  signal?: AbortSignal;
  /**
   * For URL sources: a folder to keep downloads in. The download goes to a temporary file there
   * and is renamed when complete; later reads revalidate it (ETag / Last-Modified) and reuse it,
   * also when the URL is unreachable. Without it, a URL is streamed and parsed directly.
   * @default undefined (no cache)
   */
  cacheDir?: string;
  /** Revalidate a cached download with the server before reusing it. @default true */
  revalidate?: boolean;
  /** Connect / response / idle-socket timeout for URL sources, in ms. @default 30000 */
  timeoutMs?: number;
  /** Bytes read so far (download bytes for URLs, file bytes for files); `totalBytes` when known. */
  onProgress?(event: { bytes: number; totalBytes?: number }): void;
  /** Called for every skipped line. */
  onSkip?(skip: DatasetSkip): void;
  /** Called once per pass over a URL source with a `cacheDir`, saying where the data came from. */
  onCache?(event: { status: DatasetCacheStatus; file: string }): void;
}

/** The rows of a dataset, as an async iterable that can be iterated again (each pass re-reads the source). */
export interface DatasetStream extends AsyncIterable<DatasetRow> {
  /** The source as given (path or URL). */
  readonly source: string;
  /** Counts of the current (or last) pass. */
  readonly stats: DatasetStats;
}

const expectedHeader = ['host', 'domain', 'class', 'subclass'] as const;
/**
 * The sentence that ends the message of an error whose fix is another dataset source (a missing
 * file, a bad header, an unreachable URL…). An application that says how to give another source
 * in its own words (a flag, a variable) can drop it.
 */
export const DATASET_SOURCE_REMEDY = 'Use another dataset: a file path or URL.';
const remedy = DATASET_SOURCE_REMEDY;

interface OpenedSource {
  stream: Readable;
  display: string;
  url?: string;
  state?: TransferState;
}

/** True when `names` are the four expected column names, in any order. */
function isExpectedHeader(names: readonly string[]): boolean {
  return names.length === expectedHeader.length && expectedHeader.every((name) => names.includes(name));
}

/**
 * What is wrong with a header that names the right columns in another shape: quoted fields, or
 * another separator (a spreadsheet's or pandas' CSV export); '' otherwise.
 */
function headerShapeProblem(line: string): string {
  for (const [separator, name] of [[';', 'semicolon'], [',', 'comma'], ['\t', 'tab']] as const) {
    if (!isExpectedHeader(line.split(separator).map((field) => field.trim().replace(/^"(.*)"$/, '$1')))) continue;
    return separator === ';'
      ? ' Its fields are quoted, but this format has no quoting: a quote would be part of the value. Write the file without quotes.'
      : ` It is ${name}-separated: write the file with ';' between the fields.`;
  }
  return '';
}

function parseHeader(record: string[], display: string): Columns {
  const names = record.map((name, index) => (index === 0 ? name.replace(/^\uFEFF/, '') : name));
  const indexes = expectedHeader.map((name) => names.indexOf(name));
  if (names.length !== 4 || indexes.some((index) => index === -1)) {
    const shown = quoteInput(names.join(';'));
    throw new DatasetError(
      'ERR_DATASET_HEADER',
      `${display}:1: expected the header "host;domain;class;subclass" (';'-separated), found ${shown}.${headerShapeProblem(names.join(';'))} ` +
        `Use a file in the tutorial's format. ${remedy}`,
      { source: display, line: 1 },
    );
  }
  const [host, domain, klass, subclass] = indexes as [number, number, number, number];
  return { host, domain, class: klass, subclass };
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

async function openFile(
  path: string,
  options: Pick<ReadDatasetOptions, 'signal' | 'onProgress'>,
  display: string = path,
): Promise<OpenedSource> {
  let size: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a file`), { code: 'EISDIR' });
    size = stats.size;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new DatasetError(
        'ERR_DATASET_NOT_FOUND',
        `The dataset file ${display} ${code === 'ENOENT' ? 'does not exist' : 'is not a file'}. ${remedy}`,
        { source: display, cause: error },
      );
    }
    throw new DatasetError('ERR_DATASET_READ', `Cannot read the dataset file ${display}: ${(error as Error).message}.`, {
      source: display,
      cause: error,
    });
  }
  const stream = createReadStream(path, options.signal === undefined ? {} : { signal: options.signal });
  if (options.onProgress !== undefined) {
    let bytes = 0;
    const onProgress = options.onProgress;
    stream.on('data', (chunk: Buffer | string) => {
      bytes += chunk.length;
      onProgress({ bytes, totalBytes: size });
    });
  }
  return { stream, display };
}

async function openSource(source: string, options: ReadDatasetOptions): Promise<OpenedSource> {
  if (/^file:\/\//i.test(source)) return openFile(fileURLToPath(source), options, source);
  if (!isUrlSource(source)) return openFile(source, options);
  const onProgress = options.onProgress === undefined ? undefined : options.onProgress.bind(options);
  const onCache = options.onCache === undefined ? undefined : options.onCache.bind(options);
  const http = { signal: options.signal, timeoutMs: options.timeoutMs ?? 30_000, onProgress };
  if (options.cacheDir !== undefined) {
    const file = await downloadToCache(source, options.cacheDir, {
      ...http,
      revalidate: options.revalidate ?? true,
      onCache,
    });
    // The download already reported progress; reading the cached copy does not repeat it.
    return openFile(file, options.signal === undefined ? {} : { signal: options.signal }, redactUrl(source));
  }
  const { stream, state } = openUrlStream(source, http);
  return { stream, display: redactUrl(source), url: source, state };
}

function translate(error: unknown, opened: OpenedSource, signal: AbortSignal | undefined): DatasetError {
  if (DatasetError.isInstance(error)) return error;
  if (signal?.aborted === true) {
    return new DatasetError('ERR_DATASET_ABORTED', `Reading the dataset ${opened.display} was aborted.`, {
      source: opened.display,
      cause: error,
    });
  }
  if (opened.url !== undefined && opened.state !== undefined) return translateHttpError(error, opened.url, opened.state, signal);
  return new DatasetError('ERR_DATASET_READ', `Cannot read the dataset ${opened.display}: ${(error as Error).message}.`, {
    source: opened.display,
    cause: error,
  });
}

function countSkip(stats: DatasetStats, skip: DatasetSkip): void {
  stats.skipped++;
  stats.skippedByCode[skip.code] = (stats.skippedByCode[skip.code] ?? 0) + 1;
  const examples = (stats.skippedExamples[skip.code] ??= []);
  if (examples.length < 3) examples.push(skip.line);
}

/**
 * Skips that are deliberate drops of valid lines, not malformed lines: `empty-subclass` (as in the
 * tutorial) and `idn-label` (IDN labels are not scored, ADR 0011). They never fail strict mode
 * nor count against the limits.
 */
const deliberateDrops: ReadonlySet<DatasetSkipCode> = new Set(['empty-subclass', 'idn-label']);

/** Skipped lines that count against the limits: every reason but the deliberate drops. */
function malformedLines(stats: DatasetStats): number {
  let dropped = 0;
  for (const code of deliberateDrops) dropped += stats.skippedByCode[code] ?? 0;
  return stats.skipped - dropped;
}

/** `invalid-class 1334 (lines 3, 5, 9, ...), line-too-long 1 (line 7)`: the reasons, most frequent first. */
function describeSkips(stats: DatasetStats): string {
  return Object.entries(stats.skippedByCode)
    .filter(([code]) => !deliberateDrops.has(code as DatasetSkipCode))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, count]) => {
      const lines = stats.skippedExamples[code as DatasetSkipCode] ?? [];
      return `${code} ${count} (line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}${count > lines.length ? ', ...' : ''})`;
    })
    .join(', ');
}

/** `ended`: the whole source was read (the fraction limit), so `stats.rows` are all its usable rows. */
function tooManySkipped(display: string, stats: DatasetStats, limit: string, ended: boolean): DatasetError {
  const lines = stats.rows + stats.skipped;
  const malformed = malformedLines(stats);
  const percent = lines === 0 ? 0 : (malformed / lines) * 100;
  const fix =
    ended && stats.rows === 0
      ? 'No line is usable, so raising the limit would not help: fix those lines.'
      : 'Fix those lines, or raise the limit (maxSkippedRows, maxSkippedFraction) if the rest of the data is enough.';
  return new DatasetError(
    'ERR_DATASET_TOO_MANY_SKIPPED',
    `${display}: ${malformed} of ${lines} data lines were skipped as malformed (${percent.toFixed(1)} %), more than ${limit}: ${describeSkips(stats)}. ${fix}`,
    { source: display, skipped: malformed, ...(ended ? { rows: stats.rows } : {}) },
  );
}

function checkOption(name: string, value: number | undefined, valid: (value: number) => boolean, expected: string): void {
  if (value !== undefined && !(typeof value === 'number' && valid(value))) {
    throw new DatasetError('ERR_DATASET_INVALID_OPTION', `readDataset: ${name} must be ${expected}, got ${String(value)}.`, { source: '' });
  }
}

async function* iterateRows(source: string, options: ReadDatasetOptions, stats: DatasetStats): AsyncGenerator<DatasetRow> {
  Object.assign(stats, emptyStats());
  const signal = options.signal;
  if (signal?.aborted === true) {
    throw new DatasetError('ERR_DATASET_ABORTED', `Reading the dataset ${source} was aborted before it started.`, {
      source,
      cause: signal.reason,
    });
  }
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const maxSkippedFraction = options.maxSkippedRows === undefined ? (options.maxSkippedFraction ?? DEFAULT_MAX_SKIPPED_FRACTION) : 1;
  const opened = await openSource(source, options);
  let columns: Columns | undefined;
  try {
    // The format has no quoting, so one line is one record. Lines are split here rather than by a
    // CSV parser: fast-csv re-scans its whole pending line on every chunk (quadratic in the line
    // length, unbounded memory); this splitter drops an overlong line as it streams past.
    for await (const split of splitLines(opened.stream, maxLineBytes)) {
      const line = split.number;
      if (isAborted(signal)) throw new Error('aborted');
      if (columns === undefined) {
        if (split.text === undefined) {
          throw new DatasetError(
            'ERR_DATASET_HEADER',
            `${opened.display}:1: expected the header "host;domain;class;subclass", found a line of ${split.bytes} bytes. ` +
              `Use a file in the tutorial's format with "\\n" line ends. ${remedy}`,
            { source: opened.display, line: 1 },
          );
        }
        columns = parseHeader(split.text.split(';'), opened.display);
        continue;
      }
      const result =
        split.text === undefined
          ? { line, code: 'line-too-long' as const, reason: `line of ${split.bytes} bytes, longer than the limit of ${maxLineBytes} (maxLineBytes)` }
          : validateRow(split.text.split(';'), columns, line, options.psl);
      if ('reason' in result) {
        if (options.strict === true && !deliberateDrops.has(result.code)) {
          throw new DatasetError(
            'ERR_DATASET_INVALID_ROW',
            `${opened.display}:${line}: ${result.reason}. Fix or remove line ${line}, or read without strict mode to skip such lines.`,
            { source: opened.display, line },
          );
        }
        countSkip(stats, result);
        options.onSkip?.(result);
        if (options.maxSkippedRows !== undefined && malformedLines(stats) > options.maxSkippedRows) {
          throw tooManySkipped(opened.display, stats, `the limit of ${options.maxSkippedRows} (maxSkippedRows)`, false);
        }
        continue;
      }
      stats.rows++;
      if (result.row.malicious) stats.malicious++;
      if (!result.labelAgrees) stats.labelDisagreements++;
      if (result.row.labelSource === 'domain') stats.labelsFromDomain++;
      yield result.row;
    }
    if (isAborted(signal)) throw new Error('aborted');
    if (opened.url !== undefined && opened.state !== undefined) checkComplete(opened.url, opened.state);
    if (columns === undefined) {
      throw new DatasetError(
        'ERR_DATASET_HEADER',
        `${opened.display} is empty: expected the header "host;domain;class;subclass" on line 1. ${remedy}`,
        { source: opened.display, line: 1 },
      );
    }
    if (malformedLines(stats) > maxSkippedFraction * (stats.rows + stats.skipped)) {
      throw tooManySkipped(opened.display, stats, `${maxSkippedFraction * 100} % (maxSkippedFraction)`, true);
    }
  } catch (error) {
    throw translate(error, opened, signal);
  } finally {
    opened.stream.destroy();
  }
}

function emptyStats(): DatasetStats {
  return { rows: 0, skipped: 0, skippedByCode: {}, skippedExamples: {}, malicious: 0, labelDisagreements: 0, labelsFromDomain: 0 };
}

/**
 * Streams the rows of a `host;domain;class;subclass` dataset (the format of Devo's DGA
 * tutorial) from a file or an http(s) URL, in constant memory and linear time.
 *
 * Each row carries `label`, the string to featurize: `extractLabel(host)`, exactly as `classify`
 * and the LINQ compute it, else the `domain` column normalised by `tryNormalizeLabel` (counted in
 * `stats.labelsFromDomain`); rows whose label differs from their `domain` column are counted in
 * `stats.labelDisagreements`. `class` is `legit` or `dga` in any case, with surrounding spaces.
 * Rows without a subclass are dropped (as in the tutorial). Malformed lines (too long, short or
 * long rows, no label, another class, bytes that are not UTF-8, blank lines) are skipped, counted
 * in `stats` and reported through `onSkip` with their 1-based line number; with `strict: true` the
 * first one throws instead, and more than `maxSkippedFraction` (10 %) or `maxSkippedRows` of them
 * throw `ERR_DATASET_TOO_MANY_SKIPPED`. A wrong header always throws. A URL that cannot be
 * reached throws `ERR_DATASET_UNREACHABLE` naming the remedies (`--dataset <file>`,
 * `DGA_DATASET`); a download that stops early always throws.
 *
 * @example
 * const rows = readDataset(resolveDatasetSource(flags.dataset, process.env['DGA_DATASET']), {
 *   cacheDir: '.cache/dga',
 *   onSkip: (skip) => logger.warn(`line ${skip.line}: ${skip.reason}`),
 * });
 * for await (const row of rows) train(row.label, row.malicious);
 * console.log(rows.stats); // { rows: 132534, skipped: 0, ... }
 */
export function readDataset(source: string, options: ReadDatasetOptions = {}): DatasetStream {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new DatasetError('ERR_DATASET_NOT_FOUND', `The dataset source is empty. ${remedy}`, { source: String(source) });
  }
  checkOption('maxLineBytes', options.maxLineBytes, (value) => Number.isInteger(value) && value >= 64, 'an integer of at least 64');
  checkOption('maxSkippedRows', options.maxSkippedRows, (value) => Number.isInteger(value) && value >= 0, 'a non-negative integer');
  checkOption('maxSkippedFraction', options.maxSkippedFraction, (value) => value >= 0 && value <= 1, 'a number from 0 to 1');
  const stats = emptyStats();
  return {
    source,
    stats,
    [Symbol.asyncIterator]: () => iterateRows(source, options, stats)[Symbol.asyncIterator](),
  };
}
