import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One port in front of both fakes: `/mlmodelmanager…` goes to the Model Manager, the rest to the Query API. */
export interface FrontServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Starts a streaming reverse proxy on 127.0.0.1:`port` routing by path prefix. */
export async function startFrontServer(options: { port: number; mlmmOrigin: string; mlmmPrefix: string; queryOrigin: string }): Promise<FrontServer> {
  const mlmm = new URL(options.mlmmOrigin);
  const query = new URL(options.queryOrigin);
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming, outgoing) => {
    const path = incoming.url ?? '/';
    const target = path === options.mlmmPrefix || path.startsWith(`${options.mlmmPrefix}/`) || path.startsWith(`${options.mlmmPrefix}?`) ? mlmm : query;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: incoming.method, path, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      if (!outgoing.headersSent) {
        outgoing.writeHead(502, { 'content-type': 'application/json' });
        outgoing.end(JSON.stringify({ error: 'bad_gateway', status: 502, msg: `devo-sandbox: upstream failed: ${error.message}` }));
      } else {
        outgoing.destroy(error);
      }
    });
    outgoing.on('close', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
