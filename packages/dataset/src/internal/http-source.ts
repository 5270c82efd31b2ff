import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import got from 'got';
import { DatasetError } from '../dataset-error';
import { redactUrl } from '../resolve-dataset-source';
import { VERSION } from '../version';

/** What to do with a cached download. */
export type DatasetCacheStatus = 'downloaded' | 'revalidated' | 'fresh' | 'offline-copy';

export interface HttpSourceOptions {
  signal?: AbortSignal | undefined;
  timeoutMs: number;
  onProgress?: ((event: { bytes: number; totalBytes?: number }) => void) | undefined;
}

/** Progress of one HTTP response, to tell "unreachable" from "interrupted" and to check length. */
export interface TransferState {
  responded: boolean;
  status: number | undefined;
  bytes: number;
  totalBytes: number | undefined;
}

const remedy = 'use a local copy of the file, or another file path or URL.';

const unreachableCodes = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'EPIPE', 'ENETDOWN', 'EHOSTDOWN', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Turns a got / stream error into a DatasetError naming the URL and the remedies. */
export function translateHttpError(error: unknown, url: string, state: TransferState, signal?: AbortSignal): DatasetError {
  if (DatasetError.isInstance(error)) return error;
  const source = redactUrl(url);
  if (signal?.aborted === true) {
    return new DatasetError('ERR_DATASET_ABORTED', `Reading the dataset ${source} was aborted.`, { source, cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const status = (error as { response?: { statusCode?: number } } | null)?.response?.statusCode;
  if (code === 'ERR_NON_2XX_3XX_RESPONSE' && status !== undefined) {
    return new DatasetError(
      'ERR_DATASET_HTTP_STATUS',
      `The dataset URL ${source} answered HTTP ${status}. Check the URL, or ${remedy}`,
      { source, status, cause: error },
    );
  }
  if (state.responded) {
    const expected = state.totalBytes === undefined ? '' : ` of ${state.totalBytes}`;
    return new DatasetError(
      'ERR_DATASET_DOWNLOAD_INTERRUPTED',
      `The download of the dataset ${source} stopped after ${state.bytes}${expected} bytes ` +
        `(${String(code ?? (error as Error | null)?.message ?? error)}), so the data would be incomplete. Retry, or: ${remedy}`,
      { source, cause: error },
    );
  }
  const reason = typeof code === 'string' ? code : String((error as Error | null)?.message ?? error);
  return new DatasetError(
    'ERR_DATASET_UNREACHABLE',
    `Cannot reach the dataset URL ${source} (${reason}${unreachableCodes.has(String(code)) ? '' : ', unexpected error'}). ` +
      `Without network access to it, ${remedy}`,
    { source, cause: error },
  );
}

/** Throws when a response announced a length and fewer (or more) bytes arrived. */
export function checkComplete(url: string, state: TransferState): void {
  if (state.status === 304) return;
  if (state.totalBytes !== undefined && state.bytes !== state.totalBytes) {
    const source = redactUrl(url);
    throw new DatasetError(
      'ERR_DATASET_DOWNLOAD_INTERRUPTED',
      `The download of the dataset ${source} ended after ${state.bytes} of ${state.totalBytes} bytes, ` +
        `so the data would be incomplete. Retry, or: ${remedy}`,
      { source },
    );
  }
}

/** A got byte stream of `url` (no retries: a half-read stream cannot be replayed), with its state. */
export function openUrlStream(
  url: string,
  options: HttpSourceOptions,
  headers: Record<string, string> = {},
): { stream: Readable; state: TransferState } {
  const state: TransferState = { responded: false, status: undefined, bytes: 0, totalBytes: undefined };
  const timeout = options.timeoutMs;
  const stream = got.stream(url, {
    headers: { 'user-agent': `@dga/dataset/${VERSION}`, ...headers },
    timeout: { lookup: timeout, connect: timeout, secureConnect: timeout, send: timeout, response: timeout, socket: timeout },
    retry: { limit: 0 },
    decompress: true,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  stream.on('response', (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
    state.responded = true;
    state.status = response.statusCode;
    const length = Number(response.headers['content-length']);
    if (Number.isSafeInteger(length) && length >= 0) state.totalBytes = length;
  });
  stream.on('downloadProgress', (progress: { transferred: number; total?: number }) => {
    state.bytes = progress.transferred;
    if (state.status === 304) return;
    options.onProgress?.(state.totalBytes === undefined ? { bytes: state.bytes } : { bytes: state.bytes, totalBytes: state.totalBytes });
  });
  return { stream, state };
}

/**
 * What the cache keeps beside a download. The URL itself may hold secrets (`user:password@`, a
 * token or a pre-signed signature in the query), so only its SHA-256 `key` and a redacted
 * `source` (for people) are stored.
 */
interface CacheMeta {
  key: string;
  source: string;
  bytes: number;
  etag?: string;
  lastModified?: string;
}

function cachePaths(cacheDir: string, url: string): { key: string; file: string; meta: string } {
  const key = createHash('sha256').update(url).digest('hex');
  let name = 'dataset.csv';
  try {
    name = new URL(url).pathname.split('/').pop() || name;
  } catch {
    // keep the default name
  }
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  const file = join(cacheDir, `${key.slice(0, 16)}-${safe}`);
  return { key, file, meta: `${file}.meta.json` };
}

async function readMeta(file: string): Promise<CacheMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(file, 'utf8')) as CacheMeta;
    return typeof meta.key === 'string' && typeof meta.bytes === 'number' ? meta : undefined;
  } catch {
    return undefined;
  }
}

let temporaryCounter = 0;

/** Cache files and folders are private to the user: a dataset may be confidential. */
const PRIVATE_FILE = 0o600;
const PRIVATE_FOLDER = 0o700;

/**
 * Makes sure `cacheDir` holds a complete copy of `url` and returns its path. A new download goes
 * to a temporary file in the same folder and is renamed only once complete. A cached copy is
 * revalidated with `If-None-Match` / `If-Modified-Since` (unless `revalidate` is false); when the
 * URL is unreachable, a cached copy is used instead (reported as `offline-copy`).
 */
export async function downloadToCache(
  url: string,
  cacheDir: string,
  options: HttpSourceOptions & { revalidate: boolean; onCache?: ((event: { status: DatasetCacheStatus; file: string }) => void) | undefined },
): Promise<string> {
  const source = redactUrl(url);
  try {
    await mkdir(cacheDir, { recursive: true, mode: PRIVATE_FOLDER });
  } catch (error) {
    throw new DatasetError('ERR_DATASET_READ', `Cannot create the dataset cache folder ${cacheDir}: ${(error as Error).message}. Pass another cacheDir.`, {
      source,
      cause: error,
    });
  }
  const paths = cachePaths(cacheDir, url);
  const meta = await readMeta(paths.meta);
  const size = await stat(paths.file).then((stats) => stats.size, () => undefined);
  const cached = meta !== undefined && meta.key === paths.key && size === meta.bytes;
  if (cached && !options.revalidate) {
    options.onCache?.({ status: 'fresh', file: paths.file });
    return paths.file;
  }
  const headers: Record<string, string> = {};
  if (cached && meta.etag !== undefined) headers['if-none-match'] = meta.etag;
  if (cached && meta.lastModified !== undefined) headers['if-modified-since'] = meta.lastModified;
  const temporary = `${paths.file}.${process.pid}.${++temporaryCounter}.tmp`;
  let etag: string | undefined;
  let lastModified: string | undefined;
  const { stream, state } = openUrlStream(url, options, headers);
  stream.on('response', (response: { headers: Record<string, string | string[] | undefined> }) => {
    const etagHeader = response.headers['etag'];
    const modifiedHeader = response.headers['last-modified'];
    if (typeof etagHeader === 'string') etag = etagHeader;
    if (typeof modifiedHeader === 'string') lastModified = modifiedHeader;
  });
  try {
    await pipeline(stream, createWriteStream(temporary, { mode: PRIVATE_FILE }));
    checkComplete(url, state);
    if (state.status === 304 && cached) {
      await rm(temporary, { force: true });
      options.onCache?.({ status: 'revalidated', file: paths.file });
      return paths.file;
    }
    const written = (await stat(temporary)).size;
    await rename(temporary, paths.file);
    const newMeta: CacheMeta = { key: paths.key, source, bytes: written };
    if (etag !== undefined) newMeta.etag = etag;
    if (lastModified !== undefined) newMeta.lastModified = lastModified;
    const temporaryMeta = `${paths.meta}.${process.pid}.${++temporaryCounter}.tmp`;
    await writeFile(temporaryMeta, `${JSON.stringify(newMeta)}\n`, { mode: PRIVATE_FILE });
    await rename(temporaryMeta, paths.meta);
    options.onCache?.({ status: 'downloaded', file: paths.file });
    return paths.file;
  } catch (error) {
    await rm(temporary, { force: true });
    if (typeof (error as { path?: unknown } | null)?.path === 'string') {
      throw new DatasetError(
        'ERR_DATASET_READ',
        `Cannot write the dataset cache file in ${cacheDir}: ${(error as Error).message}. Free some space or pass another cacheDir.`,
        { source, cause: error },
      );
    }
    const translated = translateHttpError(error, url, state, options.signal);
    if (cached && translated.code === 'ERR_DATASET_UNREACHABLE') {
      options.onCache?.({ status: 'offline-copy', file: paths.file });
      return paths.file;
    }
    throw translated;
  }
}
