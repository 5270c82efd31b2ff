import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'fast-csv';
import { DatasetError } from './dataset-error';
import {
  checkComplete,
  downloadToCache,
  openUrlStream,
  translateHttpError,
  type DatasetCacheStatus,
  type TransferState,
} from './internal/http-source';
import { DEFAULT_DATASET_URL, isUrlSource, redactUrl } from './resolve-dataset-source';

/** One labelled row of the dataset. */
export interface DatasetRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  /** The full host name, as in the file (not used by training). */
  host: string;
  /** The domain label the model is trained on (`domain` column). */
  domain: string;
  /** `class !== 'legit'`. */
  malicious: boolean;
  /** `legit`, or the DGA family (`newgoz`, `cryptolocker`, ...). */
  subclass: string;
}

/** Why a line was skipped. */
export type DatasetSkipCode =
  | 'empty-line'
  | 'invalid-utf8'
  | 'short-row'
  | 'long-row'
  | 'empty-domain'
  | 'invalid-domain'
  | 'invalid-class'
  | 'empty-subclass';

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
  /** Lines skipped (every reason, including `empty-subclass`). */
  skipped: number;
  /** Skips per reason. */
  skippedByCode: Partial<Record<DatasetSkipCode, number>>;
  /** Yielded rows with `malicious: true`. */
  malicious: number;
}

/** Options of {@link readDataset}. */
export interface ReadDatasetOptions {
  /**
   * Throw a `DatasetError` (`ERR_DATASET_INVALID_ROW`) on the first malformed line instead of
   * skipping it. Rows without a subclass are always dropped, as in the tutorial, strict or not.
   * @default false
   */
  strict?: boolean;
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
const remedy = 'Pass another file with --dataset <file> or set DGA_DATASET to a file path or URL.';

interface Columns {
  host: number;
  domain: number;
  class: number;
  subclass: number;
}

interface OpenedSource {
  stream: Readable;
  display: string;
  url?: string;
  state?: TransferState;
}

function parseHeader(record: string[], display: string): Columns {
  const names = record.map((name, index) => (index === 0 ? name.replace(/^\uFEFF/, '') : name));
  const indexes = expectedHeader.map((name) => names.indexOf(name));
  if (names.length !== 4 || indexes.some((index) => index === -1)) {
    const shown = JSON.stringify(names.join(';').slice(0, 200));
    throw new DatasetError(
      'ERR_DATASET_HEADER',
      `${display}:1: expected the header "host;domain;class;subclass" (';'-separated), found ${shown}. ` +
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

function skipOf(line: number, code: DatasetSkipCode, reason: string): DatasetSkip {
  return { line, code, reason };
}

function hasLabelBreaker(domain: string): boolean {
  for (let index = 0; index < domain.length; index++) {
    const code = domain.charCodeAt(index);
    if (code <= 0x20 || code === 0x2e || code === 0x7f) return true;
  }
  return false;
}

function validateRow(record: string[], columns: Columns, line: number): DatasetRow | DatasetSkip {
  if (record.length === 0 || (record.length === 1 && record[0] === '')) return skipOf(line, 'empty-line', 'empty line');
  for (const field of record) {
    if (field.includes('\uFFFD')) {
      return skipOf(line, 'invalid-utf8', 'not valid UTF-8 (a byte sequence decoded to U+FFFD)');
    }
  }
  if (record.length < 4) return skipOf(line, 'short-row', `short row: ${record.length} fields, expected 4 (host;domain;class;subclass)`);
  if (record.length > 4) return skipOf(line, 'long-row', `long row: ${record.length} fields, expected 4 (host;domain;class;subclass)`);
  const domain = record[columns.domain]!;
  const klass = record[columns.class]!;
  const subclass = record[columns.subclass]!;
  if (domain === '') return skipOf(line, 'empty-domain', 'empty domain');
  if (hasLabelBreaker(domain)) {
    return skipOf(line, 'invalid-domain', `domain ${JSON.stringify(domain.slice(0, 80))} is not a single label (it has a dot, space or control character)`);
  }
  if (klass !== 'legit' && klass !== 'dga') {
    return skipOf(line, 'invalid-class', `class ${JSON.stringify(klass.slice(0, 80))} is neither "legit" nor "dga"`);
  }
  if (subclass === '') return skipOf(line, 'empty-subclass', 'empty subclass (dropped, as in the tutorial)');
  return { line, host: record[columns.host]!, domain, malicious: klass !== 'legit', subclass };
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
        `The dataset file ${display} ${code === 'ENOENT' ? 'does not exist' : 'is not a file'}. ${remedy} ` +
          `Without either, the default is ${DEFAULT_DATASET_URL}.`,
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

async function* iterateRows(source: string, options: ReadDatasetOptions, stats: DatasetStats): AsyncGenerator<DatasetRow> {
  stats.rows = 0;
  stats.skipped = 0;
  stats.malicious = 0;
  stats.skippedByCode = {};
  const signal = options.signal;
  if (signal?.aborted === true) {
    throw new DatasetError('ERR_DATASET_ABORTED', `Reading the dataset ${source} was aborted before it started.`, {
      source,
      cause: signal.reason,
    });
  }
  const opened = await openSource(source, options);
  // quote: null — the format has no quoting, so every parsed record is exactly one line and the
  // line numbers in skips and errors are exact. ignoreEmpty: false, so blank lines are reported.
  const parser = parse({ delimiter: ';', quote: null, headers: false, ignoreEmpty: false });
  const onAbort = (): void => {
    parser.destroy(new Error('aborted'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  opened.stream.on('error', (error) => parser.destroy(error));
  opened.stream.pipe(parser);
  let line = 0;
  let columns: Columns | undefined;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      if (columns === undefined) {
        columns = parseHeader(record, opened.display);
        continue;
      }
      const result = validateRow(record, columns, line);
      if ('reason' in result) {
        if (options.strict === true && result.code !== 'empty-subclass') {
          throw new DatasetError(
            'ERR_DATASET_INVALID_ROW',
            `${opened.display}:${line}: ${result.reason}. Fix or remove line ${line}, or read without strict mode to skip such lines.`,
            { source: opened.display, line },
          );
        }
        stats.skipped++;
        stats.skippedByCode[result.code] = (stats.skippedByCode[result.code] ?? 0) + 1;
        options.onSkip?.(result);
        continue;
      }
      stats.rows++;
      if (result.malicious) stats.malicious++;
      yield result;
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
  } catch (error) {
    throw translate(error, opened, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    opened.stream.unpipe(parser);
    opened.stream.destroy();
    parser.destroy();
  }
}

/**
 * Streams the rows of a `host;domain;class;subclass` dataset (the format of Devo's DGA
 * tutorial) from a file or an http(s) URL, in constant memory, with fast-csv.
 *
 * Rows without a subclass are dropped (as in the tutorial) and `malicious = class !== 'legit'`.
 * Malformed lines (short or long rows, empty domain, a class other than `legit`/`dga`, bytes that
 * are not UTF-8, blank lines) are skipped, counted in `stats` and reported through `onSkip` with
 * their 1-based line number; with `strict: true` the first one throws instead. A wrong header
 * always throws. A URL that cannot be reached throws `ERR_DATASET_UNREACHABLE` naming the
 * remedies (`--dataset <file>`, `DGA_DATASET`); a download that stops early always throws.
 *
 * @example
 * const rows = readDataset(resolveDatasetSource(flags.dataset, process.env['DGA_DATASET']), {
 *   cacheDir: '.cache/dga',
 *   onSkip: (skip) => logger.warn(`line ${skip.line}: ${skip.reason}`),
 * });
 * for await (const row of rows) train(row.domain, row.malicious);
 * console.log(rows.stats); // { rows: 132534, skipped: 0, ... }
 */
export function readDataset(source: string, options: ReadDatasetOptions = {}): DatasetStream {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new DatasetError('ERR_DATASET_NOT_FOUND', `The dataset source is empty. ${remedy}`, { source: String(source) });
  }
  const stats: DatasetStats = { rows: 0, skipped: 0, skippedByCode: {}, malicious: 0 };
  return {
    source,
    stats,
    [Symbol.asyncIterator]: () => iterateRows(source, options, stats)[Symbol.asyncIterator](),
  };
}
