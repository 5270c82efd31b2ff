import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import { readDataset, type DatasetRow, type ReadDatasetOptions } from './read-dataset';

const valid = readFileSync(fileURLToPath(new URL('./__fixtures__/valid.csv', import.meta.url)));
const many = Buffer.from(
  `host;domain;class;subclass\n${Array.from({ length: 2000 }, (_, index) => `h${index}.com;h${index};dga;tinba\n`).join('')}`,
);

interface Recorded {
  path: string;
  ifNoneMatch: string | undefined;
}

let server: Server;
let baseUrl: string;
const requests: Recorded[] = [];

function handle(request: IncomingMessage, response: ServerResponse): void {
  const path = request.url ?? '/';
  requests.push({ path, ifNoneMatch: request.headers['if-none-match'] });
  if (path.startsWith('/valid.csv')) {
    if (request.headers['if-none-match'] === '"v1"') {
      response.writeHead(304, { etag: '"v1"' }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/csv', 'content-length': valid.length, etag: '"v1"', 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT' });
    response.end(valid);
    return;
  }
  if (path === '/gzip.csv') {
    const body = gzipSync(valid);
    response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length });
    response.end(body);
    return;
  }
  if (path === '/gzip-dies.csv') {
    const body = gzipSync(many);
    response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length });
    response.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => request.socket.destroy(), 20));
    return;
  }
  if (path === '/length-dies.csv') {
    // Announces the full length, sends a third, then the server dies.
    response.writeHead(200, { 'content-length': many.length });
    response.write(many.subarray(0, Math.floor(many.length / 3)), () => setTimeout(() => request.socket.destroy(), 20));
    return;
  }
  if (path === '/chunked-dies.csv') {
    // Chunked transfer without the final chunk: the body ends at a row boundary, then the socket dies.
    response.writeHead(200, { 'content-type': 'text/csv' });
    const cut = many.indexOf('\n', 5000) + 1;
    response.write(many.subarray(0, cut), () => setTimeout(() => request.socket.destroy(), 20));
    return;
  }
  response.writeHead(404).end('not found');
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const temporaryFolders: string[] = [];
afterEach(async () => {
  requests.length = 0;
  await Promise.all(temporaryFolders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'dga-dataset-test-'));
  temporaryFolders.push(folder);
  return folder;
}

async function collect(source: string, options: ReadDatasetOptions = {}): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of readDataset(source, options)) rows.push(row);
  return rows;
}

async function failure(promise: Promise<unknown>): Promise<DatasetError> {
  try {
    await promise;
  } catch (error) {
    if (DatasetError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DatasetError');
}

async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/dataset.csv`;
}

describe('readDataset on http URLs', () => {
  it('streams the rows of a URL and reports download progress', async () => {
    const events: Array<{ bytes: number; totalBytes?: number }> = [];
    const rows = await collect(`${baseUrl}/valid.csv`, { onProgress: (event) => events.push(event) });
    expect(rows.map((row) => row.domain)).toEqual(['bbc', 'kq3v9z1x', 'fizrbzba']);
    expect(events.at(-1)).toEqual({ bytes: valid.length, totalBytes: valid.length });
  });

  it('decompresses a gzip-encoded response', async () => {
    const rows = await collect(`${baseUrl}/gzip.csv`);
    expect(rows.map((row) => row.domain)).toEqual(['bbc', 'kq3v9z1x', 'fizrbzba']);
  });

  it('throws ERR_DATASET_HTTP_STATUS for a 404, naming the URL', async () => {
    const error = await failure(collect(`${baseUrl}/missing.csv`));
    expect(error.code).toBe('ERR_DATASET_HTTP_STATUS');
    expect(error.status).toBe(404);
    expect(error.message).toContain(`${baseUrl}/missing.csv answered HTTP 404`);
  });

  it('says an unreachable URL cannot be reached and to use a local copy, naming no flag or env var', async () => {
    const url = await closedPortUrl();
    const error = await failure(collect(url));
    expect(error.code).toBe('ERR_DATASET_UNREACHABLE');
    expect(error.message).toContain(`Cannot reach the dataset URL ${url} (ECONNREFUSED)`);
    expect(error.message).toContain('use a local copy of the file, or another file path or URL');
    expect(error.message).not.toMatch(/--dataset|DGA_DATASET/);
  });

  it('never puts credentials or the query string of a URL in a message', async () => {
    const url = (await closedPortUrl()).replace('http://', 'http://user:secret@') + '?X-Amz-Signature=abc';
    const error = await failure(collect(url));
    expect(error.message).not.toMatch(/secret|abc/);
    expect(error.source).not.toMatch(/secret|abc/);
  });

  it.each(['/length-dies.csv', '/chunked-dies.csv', '/gzip-dies.csv'])('fails when the server dies mid-body (%s), never yielding a short dataset silently', async (path) => {
    const rows: DatasetRow[] = [];
    const error = await failure(
      (async () => {
        for await (const row of readDataset(`${baseUrl}${path}`)) rows.push(row);
      })(),
    );
    expect(error.code).toBe('ERR_DATASET_DOWNLOAD_INTERRUPTED');
    expect(error.message).toMatch(/stopped after \d+|ended after \d+/);
    expect(rows.length).toBeLessThan(2000);
  });
});

describe('readDataset download cache', () => {
  it('downloads once, then revalidates with the ETag, then falls back to the copy when offline', async () => {
    const cacheDir = await temporaryFolder();
    const statuses: string[] = [];
    const options: ReadDatasetOptions = { cacheDir, onCache: (event) => statuses.push(event.status) };
    expect(await collect(`${baseUrl}/valid.csv`, options)).toHaveLength(3);
    expect(requests).toEqual([{ path: '/valid.csv', ifNoneMatch: undefined }]);
    const files = await readdir(cacheDir);
    expect(files).toHaveLength(2);
    expect(files.some((file) => file.endsWith('-valid.csv'))).toBe(true);
    expect(files.some((file) => file.endsWith('.tmp'))).toBe(false);

    expect(await collect(`${baseUrl}/valid.csv`, options)).toHaveLength(3);
    expect(requests[1]).toEqual({ path: '/valid.csv', ifNoneMatch: '"v1"' });

    expect(await collect(`${baseUrl}/valid.csv`, { ...options, revalidate: false })).toHaveLength(3);
    expect(requests).toHaveLength(2);
    expect(statuses).toEqual(['downloaded', 'revalidated', 'fresh']);
  });

  it('keeps no secret of the URL on disk, only its hash and a redacted URL, in files only the user can read', async () => {
    const cacheDir = join(await temporaryFolder(), 'cache');
    const statuses: string[] = [];
    const options: ReadDatasetOptions = { cacheDir, onCache: (event) => statuses.push(event.status) };
    const secretUrl = baseUrl.replace('://', '://alice:pa55word@') + '/valid.csv?X-Amz-Signature=deadbeef01&token=t0k3n-value';
    expect(await collect(secretUrl, options)).toHaveLength(3);
    const files = await readdir(cacheDir);
    const metaFile = files.find((file) => file.endsWith('.meta.json'))!;
    const meta = JSON.parse(await readFile(join(cacheDir, metaFile), 'utf8')) as Record<string, unknown>;
    expect(meta['key']).toBe(createHash('sha256').update(secretUrl).digest('hex'));
    expect(meta['source']).toBe(`${baseUrl}/valid.csv?…`);
    for (const file of files) {
      const text = await readFile(join(cacheDir, file), 'utf8');
      expect(text).not.toMatch(/pa55word|deadbeef01|t0k3n-value/);
      if (process.platform !== 'win32') expect((await stat(join(cacheDir, file))).mode & 0o777).toBe(0o600);
    }
    if (process.platform !== 'win32') expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    // The hash still finds the copy of the same URL; another signature is another download.
    await collect(secretUrl, options);
    await collect(secretUrl.replace('deadbeef01', 'cafebabe02'), options);
    expect(statuses).toEqual(['downloaded', 'revalidated', 'downloaded']);
  });

  it('uses the cached copy, reported as offline-copy, when the URL can no longer be reached', async () => {
    const cacheDir = await temporaryFolder();
    const own = createServer((_request, response) => response.writeHead(200, { etag: '"x"' }).end(valid));
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(own.address() as AddressInfo).port}/data.csv`;
    const statuses: string[] = [];
    const options: ReadDatasetOptions = { cacheDir, onCache: (event) => statuses.push(event.status) };
    expect(await collect(url, options)).toHaveLength(3);
    own.closeAllConnections();
    await new Promise<void>((resolve) => own.close(() => resolve()));
    expect(await collect(url, options)).toHaveLength(3);
    expect(statuses).toEqual(['downloaded', 'offline-copy']);
  });

  it('throws ERR_DATASET_UNREACHABLE and caches nothing when there is no copy yet', async () => {
    const cacheDir = await temporaryFolder();
    const error = await failure(collect(await closedPortUrl(), { cacheDir }));
    expect(error.code).toBe('ERR_DATASET_UNREACHABLE');
    expect(error.message).toMatch(/use a local copy/);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('keeps no partial file when the download dies', async () => {
    const cacheDir = await temporaryFolder();
    const error = await failure(collect(`${baseUrl}/length-dies.csv`, { cacheDir }));
    expect(error.code).toBe('ERR_DATASET_DOWNLOAD_INTERRUPTED');
    expect(await readdir(cacheDir)).toEqual([]);
  });
});
