import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './run-cli-in-process';

const cwd = mkdtempSync(join(tmpdir(), 'dga-reply-cap-'));

describe('dga models list against a server whose reply never ends', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // Every request gets gzip-compressed zeros for as long as the client reads: a gzip bomb.
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      const gzip = createGzip();
      gzip.pipe(response);
      const zeros = Buffer.alloc(1 << 20);
      const pump = (): void => {
        while (!response.destroyed && gzip.write(zeros));
        if (!response.destroyed) gzip.once('drain', pump);
      };
      response.on('close', () => gzip.destroy());
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mlmodelmanager`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('stops at the reply size cap with exit 1 and a hint in CLI terms, not the library option', async () => {
    const run = await runCliInProcess(['models', 'list', '--mlmm-url', url, '--token', 'reply-cap-token'], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: GET \S+: the reply passed the size cap and was cut off/m);
    expect(run.stderr).toContain('check that --mlmm-url (or DEVO_MLMM_URL) points at the Model Manager');
    expect(run.stderr).not.toContain('maxResponseBytes');
    expect(run.stdout + run.stderr).not.toContain('reply-cap-token');
  }, 120_000);
});
