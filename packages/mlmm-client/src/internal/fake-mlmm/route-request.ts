import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FakeMlmmServerOptions, RecordedRequest } from '../../fake-mlmm-types';
import type { FakeMlmmStore } from './fake-mlmm-store';
import { handleGetModel } from './handle-get-model';
import { handleSave } from './handle-save';
import { handleUpload } from './handle-upload';
import type { MisbehaviourScript } from './misbehaviour-script';
import { summary } from './model-views';
import { sendReply } from './send-reply';

/** What the router of one fake server works with. */
export interface FakeMlmmRouter {
  /** The path prefix, without trailing `/` (may be empty). */
  prefix: string;
  layout: NonNullable<FakeMlmmServerOptions['layout']>;
  strict: boolean;
  /** Accepted tokens; `undefined` accepts any non-empty token. */
  tokens: ReadonlySet<string> | undefined;
  store: FakeMlmmStore;
  script: MisbehaviourScript;
  requests: RecordedRequest[];
  /** Pending delays, resolved early by `close()`. */
  timers: Map<NodeJS.Timeout, () => void>;
}

type Send = (status: number, body?: unknown, headers?: Record<string, string>, gzip?: boolean) => void;

/** Reads and records a request, plays any scripted misbehaviour, then routes it to its endpoint. */
export async function routeRequest(router: FakeMlmmRouter, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { store, script } = router;
  const record = await recordRequest(router, request);
  const routePath = routePathOf(router, record.path);
  const send: Send = (status, body, headers, gzip) => sendReply(response, record, script.trickleMs, status, body, headers, gzip);

  const rule = script.take(record.method, routePath ?? record.path);
  if (rule?.kind === 'reset') {
    record.status = 0;
    request.socket.destroy();
    return;
  }
  if (script.delayMs > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        router.timers.delete(timer);
        resolve();
      }, script.delayMs);
      router.timers.set(timer, resolve);
    });
    if (response.destroyed || request.socket.destroyed) return;
  }
  if (rule?.kind === 'fail') {
    const failure = rule.failure;
    const status = failure.status ?? 500;
    send(status, failure.body ?? { code: status, msg: STATUS_CODES[status] ?? 'Error', cid: store.cid() }, failure.headers, failure.gzip);
    return;
  }
  routeEndpoint(router, request, record, routePath, send);
}

/** Answers a request that no misbehaviour intercepted, as the Model Manager does (docs/reference/mlmm-api.md §9). */
function routeEndpoint(router: FakeMlmmRouter, request: IncomingMessage, record: RecordedRequest, routePath: string | undefined, send: Send): void {
  const { store, strict } = router;
  const method = record.method;
  if (routePath === undefined || !routePath.startsWith('/models')) {
    send(404, notFound());
    return;
  }
  let route: 'list' | 'upload' | 'model' | undefined;
  let name = '';
  if (routePath === '/models') route = 'list';
  else if (routePath === '/models/images/upload' && method === 'POST') route = 'upload';
  else if (routePath.startsWith('/models/') && routePath.length > '/models/'.length) {
    route = 'model';
    try {
      name = decodeURIComponent(routePath.slice('/models/'.length));
    } catch {
      send(400, { code: 400, msg: 'Malformed percent-encoding in the path', cid: store.cid() });
      return;
    }
  }
  if (route === undefined) {
    send(404, notFound());
    return;
  }
  const allowed = route === 'list' ? ['GET', 'POST'] : route === 'upload' ? ['POST'] : ['GET', 'DELETE'];
  if (!allowed.includes(method)) {
    send(405, notAllowed());
    return;
  }
  if (!authenticate(router.tokens, request)) {
    send(403, { code: 5, msg: 'Token invalid or expired', cid: store.cid() });
    return;
  }

  if (route === 'list' && method === 'GET') {
    send(200, [...store.models.values()].filter((model) => !model.hidden).map(summary));
    return;
  }
  if (route === 'list') {
    send(...handleSave(store, strict, record, request));
    return;
  }
  if (route === 'upload') {
    send(...handleUpload(store, strict, record, request));
    return;
  }
  if (method === 'DELETE') {
    store.models.delete(name);
    send(204);
    return;
  }
  send(...handleGetModel(store, strict, record, name));
}

/** Reads the whole request and appends it to `router.requests`. */
async function recordRequest(router: FakeMlmmRouter, request: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const rawUrl = request.url ?? '/';
  const questionMark = rawUrl.indexOf('?');
  const record: RecordedRequest = {
    method: (request.method ?? 'GET').toUpperCase(),
    path: questionMark < 0 ? rawUrl : rawUrl.slice(0, questionMark),
    query: questionMark < 0 ? '' : rawUrl.slice(questionMark + 1),
    headers: { ...request.headers },
    rawHeaders: [...request.rawHeaders],
    body: Buffer.concat(chunks),
    violations: [],
    status: -1,
  };
  router.requests.push(record);
  return record;
}

/** The path after the prefix and an optional `/domains/{d}`; `undefined` when the layout does not serve it. */
function routePathOf(router: FakeMlmmRouter, path: string): string | undefined {
  const { prefix, layout } = router;
  if (path !== prefix && !path.startsWith(`${prefix}/`)) return undefined;
  const rest = path.slice(prefix.length);
  const legacy = /^\/domains\/[^/]+(\/.*)?$/.exec(rest);
  if (legacy) return layout !== 'modern' ? (legacy[1] ?? '') : undefined;
  return layout !== 'legacy' ? rest : undefined;
}

const notFound = (): Record<string, unknown> => ({ code: 404, msg: 'HTTP 404 Not Found' });
const notAllowed = (): Record<string, unknown> => ({ code: 405, msg: 'HTTP 405 Method Not Allowed' });

/** docs/reference/mlmm-api.md §2: `standAloneToken`, else `Authorization: Bearer`. */
function authenticate(tokens: ReadonlySet<string> | undefined, request: IncomingMessage): boolean {
  const standalone = request.headers['standalonetoken'];
  let token: string | undefined;
  if (typeof standalone === 'string') token = standalone;
  else {
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
    token = match?.[1];
  }
  if (token === undefined || token === '') return false;
  return tokens === undefined || tokens.has(token);
}
