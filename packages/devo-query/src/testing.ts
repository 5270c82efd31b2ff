/**
 * `@dga/devo-query/testing`: a fake Devo Query API on a real `node:http` server (docs/reference/devo-query-api.md §11), for
 * tests and the offline sandbox. It follows docs/reference/devo-query-api.md closely: auth (token, jwt, HMAC verified over
 * the raw body), parameter errors, every format byte-for-byte as docs/reference/devo-query-api.md §5, keep-alives (§6), progress
 * lines, scripted docs/reference/devo-query-api.md §7.1/§7.2 errors, truncation, table schema (§9) and jobs (§8).
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FakeQueryServer, FakeQueryServerOptions } from './fake-query-types';
import { createFakeQueryContext } from './internal/fake-query/fake-query-context';
import { routeRequest } from './internal/fake-query/route-request';

export { QueryLaunchError } from './fake-query-types';
export type {
  FakeColumn,
  FakeJob,
  FakeQueryScript,
  FakeQueryServer,
  FakeQueryServerOptions,
  FakeTable,
  QueryEngine,
  QueryEngineRequest,
  QueryEngineResult,
  RecordedRequest,
} from './fake-query-types';
export { stripPragmas } from './internal/fake-query/strip-pragmas';

/**
 * Starts the fake Query API on 127.0.0.1 with an ephemeral port.
 *
 * @example
 * ```ts
 * const server = await startFakeQueryServer({
 *   auth: { tokens: ['t0k3n'] },
 *   tables: { 'demo.ecommerce.data': { columns: [{ name: 'eventdate', type: 'timestamp' }], rows: [[1704067200000]] } },
 * });
 * const client = createQueryClient({ url: server.url, auth: { type: 'token', token: 't0k3n' } });
 * await server.close();
 * ```
 */
export async function startFakeQueryServer(options: FakeQueryServerOptions = {}): Promise<FakeQueryServer> {
  const context = createFakeQueryContext(options);
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => routeRequest(context, request, response, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address, family } = server.address() as AddressInfo;
  return {
    url: `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`,
    requests: context.requests,
    jobs: context.jobs,
    script: (...steps) => {
      context.scripts.push(...steps);
    },
    get openResponses() {
      return context.open;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
