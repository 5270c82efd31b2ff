import { constants, createReadStream, existsSync, openSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { UsageError } from '../exit-error';

/** Where the inputs of `features`/`classify` come from. */
export interface ReadInputsOptions {
  /** Positional arguments; used when non-empty. */
  args: readonly string[];
  /** `--file`: one input a line, or a CSV when `column` is set; `-` is stdin. */
  file?: string | undefined;
  /** `--column`: the CSV column holding the domains, URLs or hosts. */
  column?: string | undefined;
  /** `--delimiter`: CSV delimiter; detected from the header line when absent. */
  delimiter?: string | undefined;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  cwd: string;
  signal?: AbortSignal;
}

/** One input with where it came from (`file:line`) for messages. */
export interface InputItem {
  readonly value: string;
  /** 1-based line (CSV: data row number + 1 for the header). */
  readonly line: number;
}

/** Picks the delimiter that splits `header` into the most columns among `;`, `,`, tab, `|`. */
export function detectDelimiter(header: string): string {
  let best = ',';
  let bestCount = 0;
  for (const candidate of [';', ',', '\t', '|']) {
    const count = header.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/** Reads the first chunk of `stream` and returns it with a stream that replays everything. */
async function peek(stream: NodeJS.ReadableStream): Promise<{ head: string; stream: Readable }> {
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done === true ? '' : Buffer.isBuffer(first.value) ? first.value.toString('utf8') : first.value;
  async function* replay(): AsyncGenerator<Buffer | string> {
    if (first.done !== true) yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { head, stream: Readable.from(replay(), { objectMode: false }) };
}

/**
 * The size in bytes of `--file` when it is a regular file (0 for stdin, a pipe or a file that is
 * not there: reading it reports those).
 */
export function inputFileBytes(file: string | undefined, cwd: string): number {
  if (file === undefined || file === '-') return 0;
  try {
    const stats = statSync(resolve(cwd, file));
    return stats.isFile() ? stats.size : 0;
  } catch {
    return 0;
  }
}

function openSource(options: ReadInputsOptions): { stream: NodeJS.ReadableStream; name: string } {
  const file = options.file;
  if (file === undefined || file === '-') {
    if (options.stdin.isTTY === true) {
      throw new UsageError('no inputs: give domains, URLs or hosts as arguments, with --file FILE, or on stdin', {
        hint: 'e.g. `dga classify --model model.onnx google.com` or `cat hosts.txt | dga classify --model model.onnx`',
      });
    }
    return { stream: options.stdin, name: 'stdin' };
  }
  const path = resolve(options.cwd, file);
  if (!existsSync(path)) throw new UsageError(`--file ${file}: no such file (looked at ${path})`);
  const stats = statSync(path);
  if (stats.isDirectory()) throw new UsageError(`--file ${file}: is a directory, not a file`);
  if (stats.isFIFO()) return { stream: openPipe(path), name: file };
  return { stream: createReadStream(path), name: file };
}

/**
 * Reads a named pipe (`--file <(tail -f log)`, `mkfifo`) through the event loop like stdin: a file
 * stream would block a thread-pool read that even `process.exit` waits for, so Ctrl-C could not
 * end the command while the writer is silent. Opened non-blocking, it waits for a writer, reads
 * until the last one closes, and never blocks a thread.
 */
function openPipe(path: string): Readable {
  const descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  return new Socket({ fd: descriptor, readable: true, writable: false });
}

/**
 * The input of `classify` as it is read: plain lines (`--file`, stdin) as the bytes of each read,
 * which `createInputChunker` cuts into whole lines and `inputLinesOf` splits where they are
 * scored (so reading costs the main thread almost nothing); arguments and CSV columns as the
 * inputs {@link readInputs} reads, each in an array of one.
 */
export async function* readInputChunks(options: ReadInputsOptions): AsyncGenerator<Uint8Array | string[]> {
  if (options.args.length > 0 || options.column !== undefined || options.delimiter !== undefined) {
    for await (const item of readInputs(options)) yield [item.value];
    return;
  }
  const source = openSource(options);
  try {
    for await (const chunk of source.stream as AsyncIterable<Buffer | string>) {
      if (options.signal?.aborted === true) return;
      yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    }
  } finally {
    (source.stream as Partial<Readable>).destroy?.();
  }
}

/**
 * Streams the inputs of `features`/`classify` in constant memory: the arguments, else the lines
 * of `--file` (or stdin), else, with `--column`, that column of a CSV (delimiter detected from
 * the header unless given). Surrounding spaces are trimmed; blank lines are skipped, but a blank
 * argument is yielded (as `''`): the user typed it, so it gets a row saying it is empty.
 *
 * @throws {UsageError} for a missing file, both arguments and `--file`, or a CSV without `column`.
 */
export async function* readInputs(options: ReadInputsOptions): AsyncGenerator<InputItem> {
  if (options.args.length > 0) {
    if (options.file !== undefined) throw new UsageError('give inputs either as arguments or with --file, not both');
    if (options.column !== undefined) throw new UsageError('--column applies to --file (or stdin) CSV input, not to arguments');
    // Every argument is input the user typed, a blank one too: it gets its row (no label: empty).
    let line = 0;
    for (const value of options.args) {
      line += 1;
      yield { value: value.trim(), line };
    }
    return;
  }
  if (options.delimiter !== undefined && options.column === undefined) {
    throw new UsageError('--delimiter needs --column (CSV input)');
  }
  const source = openSource(options);
  if (options.column === undefined) {
    const lines = createInterface({ input: source.stream, crlfDelay: Infinity });
    let line = 0;
    try {
      for await (const text of lines) {
        line += 1;
        if (options.signal?.aborted === true) return;
        const trimmed = text.trim();
        if (trimmed !== '') yield { value: trimmed, line };
      }
    } finally {
      lines.close();
      (source.stream as Partial<Readable>).destroy?.();
    }
    return;
  }
  const column = options.column;
  const peeked = await peek(source.stream);
  const headerLine = peeked.head.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = options.delimiter ?? detectDelimiter(headerLine);
  if (delimiter.length !== 1) throw new UsageError(`--delimiter ${JSON.stringify(delimiter)}: use a single character`);
  // Loaded here: only CSV input needs it, and every `dga classify` start would pay for it.
  const { parse: parseCsv } = await import('fast-csv');
  // Blank lines are parsed (as rows of empty values, skipped below) so that line numbers stay those of the file.
  const parser = parseCsv<Record<string, string>, Record<string, string>>({ headers: true, delimiter, trim: true, ignoreEmpty: false });
  // The parser reads ahead of the loop below: the line of each row is counted as it is parsed (a
  // quoted field may span lines), so a parse error names the line after the last parsed row.
  let parsedLines = 1;
  const rowLines: number[] = [];
  parser.transform((row: Record<string, string>) => {
    rowLines.push(parsedLines + 1);
    parsedLines += 1 + Object.values(row).reduce((count, value) => count + (value.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    return row;
  });
  let headerError: UsageError | undefined;
  parser.once('headers', (headers: (string | null | undefined)[]) => {
    const names = headers.filter((name): name is string => typeof name === 'string');
    if (!names.includes(column)) {
      headerError = new UsageError(
        `--column ${column}: ${source.name} has no such column (columns: ${names.join(', ') || 'none'}; delimiter ${JSON.stringify(delimiter)})`,
        { hint: names.length <= 1 ? 'if the file is not comma-separated, pass --delimiter' : 'column names are case-sensitive' },
      );
      parser.destroy(headerError);
    }
  });
  peeked.stream.pipe(parser);
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      const line = rowLines.shift() ?? parsedLines;
      if (options.signal?.aborted === true) return;
      const value = (row[column] ?? '').trim();
      if (value !== '') yield { value, line };
    }
  } catch (error) {
    if (headerError !== undefined) throw headerError;
    throw new UsageError(`${source.name}:${parsedLines + 1}: cannot parse CSV: ${(error as Error).message}`, { cause: error });
  } finally {
    peeked.stream.destroy();
    (source.stream as Partial<Readable>).destroy?.();
  }
  if (headerError !== undefined) throw headerError;
}
