import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FakeMlmmModel, FakeMlmmServer, FakeMlmmServerOptions } from './fake-mlmm-types';
import { FakeMlmmStore } from './internal/fake-mlmm/fake-mlmm-store';
import { MisbehaviourScript } from './internal/fake-mlmm/misbehaviour-script';
import { routeRequest, type FakeMlmmRouter } from './internal/fake-mlmm/route-request';

/**
 * Starts a faithful fake of Devo's ML Model Manager (docs/reference/mlmm-api.md §9) on 127.0.0.1 and an ephemeral port:
 * auth by `standAloneToken` or `Authorization: Bearer`, 204 for absent models, a strict multipart
 * parser, the enum 500 for unknown engines, `valid: false` for empty files, update in place on a
 * save with `id`, the legacy `/domains/{d}` layout, and a record of every request.
 *
 * @example
 * ```ts
 * import { startFakeMlmmServer } from '@dga/mlmm-client/testing';
 *
 * const server = await startFakeMlmmServer({ tokens: ['t0k3n'] });
 * const client = createMlmmClient({ url: server.url, token: 't0k3n' });
 * await client.addModel('m', 'ONNX', bytes);
 * server.modelFile('m'); // { engine: 'ONNX', bytes }
 * await server.close();
 * ```
 */
export async function startFakeMlmmServer(options: FakeMlmmServerOptions = {}): Promise<FakeMlmmServer> {
  const prefix = (options.prefix ?? '/mlmodelmanager').replace(/\/+$/, '');
  if (prefix !== '' && !prefix.startsWith('/')) throw new TypeError(`prefix must start with "/", got '${prefix}'`);
  const store = new FakeMlmmStore(options);
  const script = new MisbehaviourScript(options.delayMs ?? 0);
  const timers = new Map<NodeJS.Timeout, () => void>();
  const sockets = new Set<Socket>();
  const requests: FakeMlmmServer['requests'] = [];
  const router: FakeMlmmRouter = {
    prefix,
    layout: options.layout ?? 'both',
    strict: options.strict ?? true,
    tokens: options.tokens === undefined ? undefined : new Set(options.tokens),
    store,
    script,
    requests,
    timers,
  };

  const server = createServer((request, response) => {
    routeRequest(router, request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: 500, msg: `Fake server failure: ${error instanceof Error ? error.message : String(error)}` }));
      } else {
        response.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}${prefix}`,
    origin,
    requests,
    getModel(name) {
      const model = store.models.get(name);
      return model === undefined ? undefined : structuredClone(model);
    },
    getImageBytes(imageId) {
      const image = store.images.get(imageId);
      return image === undefined ? undefined : Uint8Array.from(image.bytes);
    },
    modelFile(name) {
      const model = store.models.get(name);
      const image = model === undefined ? undefined : store.images.get(model.imageId);
      return model === undefined || image === undefined ? undefined : { engine: model.engine, bytes: Uint8Array.from(image.bytes) };
    },
    seedModel(seed) {
      const image = store.storeImage(seed.engine, seed.fileName ?? seed.name, seed.bytes);
      const derived = store.deriveReview({ engine: seed.engine, fileName: image.fileName, bytes: seed.bytes });
      const time = store.now();
      const existing = store.models.get(seed.name);
      const id = existing?.id ?? store.newModelId();
      const model: FakeMlmmModel = {
        id,
        name: seed.name,
        engine: seed.engine,
        description: seed.description ?? null,
        creationDate: existing?.creationDate ?? time,
        updateDate: time,
        domainName: 'self',
        outputType: derived['outputType'] ?? null,
        category: derived['category'] ?? null,
        fields: derived['fields'] ?? [],
        clusters: derived['clusters'] ?? [],
        parentId: id,
        hidden: seed.hidden ?? false,
        runtimeSize: derived['runtimeSize'] ?? null,
        imageId: image.id,
      };
      store.models.set(seed.name, model);
      return structuredClone(model);
    },
    failNext(failure = {}) {
      script.add({ kind: 'fail', failure, left: failure.times ?? 1 });
    },
    resetConnectionNext(match = {}) {
      script.add({ kind: 'reset', match, left: match.times ?? 1 });
    },
    setDelay(milliseconds) {
      script.delayMs = milliseconds;
    },
    setTrickle(milliseconds) {
      script.trickleMs = milliseconds;
    },
    async close() {
      for (const [timer, resolve] of timers) {
        clearTimeout(timer);
        resolve();
      }
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

