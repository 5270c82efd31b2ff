import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { mlmmEngines } from './engines';
import { multipartBoundary, parseMultipartStrict } from './internal/multipart-parser';

/** A request the fake received, exactly as it arrived. Holds the token: assert on it, never print it. */
export interface RecordedRequest {
  /** HTTP method. */
  readonly method: string;
  /** Raw path as received (still percent-encoded), without the query. */
  readonly path: string;
  /** Raw query string without `?`; `''` when there is none. */
  readonly query: string;
  /** Headers, names lower-cased (Node's `IncomingMessage.headers`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Header names and values in the order and case they were sent (Node's `rawHeaders`). */
  readonly rawHeaders: readonly string[];
  /** The raw body bytes. */
  readonly body: Buffer;
  /** Protocol violations the fake noticed (see `strict`). */
  readonly violations: string[];
  /** Status the fake answered, 0 when it reset the connection, -1 while pending. */
  status: number;
}

/** A model as the fake stores it. */
export interface FakeMlmmModel {
  id: number;
  name: string;
  engine: string;
  description: string | null;
  creationDate: number;
  updateDate: number;
  domainName: string;
  outputType: unknown;
  category: unknown;
  fields: unknown;
  clusters: unknown;
  parentId: number;
  hidden: boolean;
  runtimeSize: unknown;
  imageId: number;
}

/** What the fake knows about an uploaded file, passed to the `review` option. */
export interface FakeMlmmUpload {
  engine: string;
  fileName: string;
  bytes: Uint8Array;
}

/** Options of {@link startFakeMlmmServer}. */
export interface FakeMlmmServerOptions {
  /**
   * Accepted tokens. When omitted any non-empty token is accepted.
   * @default undefined
   */
  tokens?: readonly string[];
  /**
   * Path prefix of the API; `url` ends with it.
   * @default '/mlmodelmanager'
   */
  prefix?: string;
  /**
   * Which layouts answer: `modern` (`/models`), `legacy` (`/domains/{d}/models`) or both.
   * @default 'both'
   */
  layout?: 'both' | 'modern' | 'legacy';
  /**
   * Answer 400 `{"code":400,"msg":"Protocol violation: …"}` when a request deviates from what
   * the official client sends (multipart layout, JSON keys and types, `fast`). When false,
   * violations are only recorded.
   * @default true
   */
  strict?: boolean;
  /**
   * Delay before every answer, in milliseconds (for timeout tests).
   * @default 0
   */
  delayMs?: number;
  /**
   * Clock for `creationDate`/`updateDate`.
   * @default a counter starting at 1700000000000 that advances 1000 ms per call
   */
  now?: () => number;
  /** Derives the review's `outputType`, `category`, `fields`, `runtimeSize` from an upload. */
  review?: (upload: FakeMlmmUpload) => Partial<Record<'outputType' | 'category' | 'fields' | 'clusters' | 'runtimeSize', unknown>>;
}

/** Which requests a scripted failure applies to. */
export interface FakeMlmmMatch {
  /**
   * How many matching requests it applies to.
   * @default 1
   */
  times?: number;
  /** Only this method (e.g. `POST`); any when omitted. */
  method?: string;
  /**
   * Only this route path (after the prefix and any `/domains/{d}`, still percent-encoded,
   * without query), e.g. `/models/images/upload`; a RegExp is tested against it.
   */
  path?: string | RegExp;
}

/** A scripted HTTP failure. */
export interface FakeMlmmFailure extends FakeMlmmMatch {
  /**
   * HTTP status.
   * @default 500
   */
  status?: number;
  /**
   * Body: a string or bytes are sent as is, anything else as JSON.
   * @default {"code":<status>,"msg":"<status text>","cid":"…"}
   */
  body?: unknown;
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
  headers?: Record<string, string>;
  /**
   * Send the body gzip-compressed with `content-encoding: gzip` (e.g. a small reply that
   * inflates to a huge one).
   * @default false
   */
  gzip?: boolean;
}

/** A running fake Model Manager. */
export interface FakeMlmmServer {
  /** Base URL to give the client, e.g. `http://127.0.0.1:41234/mlmodelmanager`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every request received, in order. They contain the token: never print them. */
  readonly requests: RecordedRequest[];
  /** A copy of the stored model, or undefined. */
  getModel(name: string): FakeMlmmModel | undefined;
  /** Bytes of an uploaded image. */
  getImageBytes(imageId: number): Uint8Array | undefined;
  /** Engine and file bytes of a saved model. */
  modelFile(name: string): { engine: string; bytes: Uint8Array } | undefined;
  /** Stores a model directly (no HTTP), e.g. to prepare a test. */
  seedModel(model: { name: string; engine: string; bytes: Uint8Array; description?: string | null; hidden?: boolean; fileName?: string }): FakeMlmmModel;
  /** The next matching request(s) get this answer instead of the real one. */
  failNext(failure?: FakeMlmmFailure): void;
  /** The next matching request(s) have their connection destroyed without an answer. */
  resetConnectionNext(match?: FakeMlmmMatch): void;
  /** Changes the delay before every answer. */
  setDelay(milliseconds: number): void;
  /**
   * Sends every answer's body one byte per `milliseconds` (0: at once), like a server that keeps
   * a connection busy by trickling: an idle timeout never fires, only a deadline ends the wait.
   */
  setTrickle(milliseconds: number): void;
  /** Closes the server and every connection. */
  close(): Promise<void>;
}

interface StoredImage {
  id: number;
  bytes: Uint8Array;
  fileName: string;
  engine: string;
}

type Rule = { kind: 'fail'; failure: FakeMlmmFailure; left: number } | { kind: 'reset'; match: FakeMlmmMatch; left: number };

const saveKeyOrder = ['name', 'engine', 'description', 'image', 'outputType', 'fields', 'clusters', 'category', 'runtimeSize', 'hidden'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
  const layout = options.layout ?? 'both';
  const strict = options.strict ?? true;
  const tokens = options.tokens === undefined ? undefined : new Set(options.tokens);
  let clock = 1_700_000_000_000 - 1000;
  const now = options.now ?? (() => (clock += 1000));
  let delayMs = options.delayMs ?? 0;
  let trickleMs = 0;

  const models = new Map<string, FakeMlmmModel>();
  const images = new Map<number, StoredImage>();
  const requests: RecordedRequest[] = [];
  const rules: Rule[] = [];
  const timers = new Map<NodeJS.Timeout, () => void>();
  const sockets = new Set<Socket>();
  let nextModelId = 1;
  let nextImageId = 100;
  let nextCid = 1;
  const cid = (): string => `fake-${String(nextCid++).padStart(6, '0')}`;

  function storeImage(engine: string, fileName: string, bytes: Uint8Array): StoredImage {
    const image = { id: nextImageId++, bytes: Uint8Array.from(bytes), fileName, engine };
    images.set(image.id, image);
    return image;
  }

  function deriveReview(upload: FakeMlmmUpload): Record<string, unknown> {
    const onnx = upload.engine === 'ONNX';
    const derived = {
      outputType: onnx ? 'float4[]' : 'str',
      category: onnx ? 'Regression' : 'Binomial',
      fields: onnx ? [{ id: null, name: 'float_input', description: '', type: 'float4[]' }] : [],
      clusters: [],
      runtimeSize: 1024 + Math.ceil(upload.bytes.length * 1.1),
    };
    return { ...derived, ...options.review?.(upload) };
  }

  function modelBody(model: FakeMlmmModel, fast: boolean): Record<string, unknown> {
    const image = images.get(model.imageId);
    return {
      id: model.id,
      name: model.name,
      engine: model.engine,
      description: model.description,
      creationDate: model.creationDate,
      updateDate: model.updateDate,
      domainId: 'fake-domain',
      domainName: model.domainName,
      outputType: model.outputType,
      category: model.category,
      fields: model.fields,
      clusters: model.clusters,
      parentId: model.parentId,
      hidden: model.hidden,
      runtimeSize: model.runtimeSize,
      image: {
        id: model.imageId,
        size: image?.bytes.length ?? 0,
        ...(fast ? {} : { image: Buffer.from(image?.bytes ?? new Uint8Array()).toString('base64') }),
      },
    };
  }

  function summary(model: FakeMlmmModel): Record<string, unknown> {
    return {
      id: model.id,
      name: model.name,
      engine: model.engine,
      description: model.description,
      creationDate: model.creationDate,
      updateDate: model.updateDate,
      outputType: model.outputType,
      category: model.category,
      domainName: model.domainName,
      parentId: model.parentId,
      runtimeSize: model.runtimeSize,
      imageId: model.imageId,
    };
  }

  function matches(match: FakeMlmmMatch, method: string, routePath: string): boolean {
    if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
    if (match.path === undefined) return true;
    return typeof match.path === 'string' ? match.path === routePath : match.path.test(routePath);
  }

  function takeRule(method: string, routePath: string): Rule | undefined {
    const index = rules.findIndex((rule) => matches(rule.kind === 'fail' ? rule.failure : rule.match, method, routePath));
    if (index < 0) return undefined;
    const rule = rules[index]!;
    rule.left--;
    if (rule.left <= 0) rules.splice(index, 1);
    return rule;
  }

  function send(response: ServerResponse, record: RecordedRequest, status: number, body?: unknown, headers: Record<string, string> = {}, gzip = false): void {
    record.status = status;
    if (status === 204 || body === undefined) {
      response.writeHead(status, headers);
      response.end();
      return;
    }
    let payload: Buffer;
    let contentType = 'application/json';
    if (typeof body === 'string') {
      payload = Buffer.from(body, 'utf8');
      contentType = 'text/html; charset=utf-8';
    } else if (body instanceof Uint8Array) {
      payload = Buffer.from(body);
      contentType = 'application/octet-stream';
    } else {
      payload = Buffer.from(JSON.stringify(body), 'utf8');
    }
    if (gzip) {
      payload = gzipSync(payload);
      headers = { 'content-encoding': 'gzip', ...headers };
    }
    response.writeHead(status, { 'content-type': contentType, 'content-length': String(payload.length), ...headers });
    if (trickleMs <= 0) {
      response.end(payload);
      return;
    }
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      if (sent < payload.length) response.write(payload.subarray(sent - 1, sent));
      else response.end(payload.subarray(sent - 1));
    }, trickleMs);
    response.on('close', () => clearInterval(timer));
  }

  const notFound = (): Record<string, unknown> => ({ code: 404, msg: 'HTTP 404 Not Found' });
  const notAllowed = (): Record<string, unknown> => ({ code: 405, msg: 'HTTP 405 Method Not Allowed' });

  function authenticate(request: IncomingMessage): boolean {
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

  function handleUpload(record: RecordedRequest, request: IncomingMessage): [number, unknown] {
    const boundary = multipartBoundary(request.headers['content-type']);
    if (boundary === undefined) {
      record.violations.push(`upload: Content-Type should be multipart/form-data with a boundary, got "${request.headers['content-type'] ?? ''}"`);
      return [415, { code: 415, msg: 'HTTP 415 Unsupported Media Type', cid: cid() }];
    }
    const parsed = parseMultipartStrict(record.body, boundary);
    record.violations.push(...parsed.violations);
    const [first, second] = parsed.parts;
    if (parsed.parts.length !== 2) record.violations.push(`multipart: expected 2 parts (engine, fileName), got ${parsed.parts.length}`);
    if (first?.name !== 'engine') record.violations.push(`multipart: part 1 should be "engine", got "${first?.name ?? ''}"`);
    if (first?.filename !== undefined) record.violations.push('multipart: part "engine" should have no filename');
    if (second?.name !== 'fileName') record.violations.push(`multipart: part 2 should be "fileName", got "${second?.name ?? ''}"`);
    if (second !== undefined && second.filename === undefined) record.violations.push('multipart: part "fileName" has no filename parameter');
    const enginePart = parsed.parts.find((part) => part.name === 'engine');
    const filePart = parsed.parts.find((part) => part.name === 'fileName');
    if (enginePart === undefined || filePart === undefined) {
      return [400, { code: 400, msg: 'Missing multipart part "engine" or "fileName"', cid: cid() }];
    }
    if (strict && record.violations.length > 0) return [400, { code: 400, msg: `Protocol violation: ${record.violations.join('; ')}`, cid: cid() }];
    const engine = enginePart.data.toString('utf8');
    if (!(mlmmEngines as readonly string[]).includes(engine)) {
      return [500, { code: 500, msg: `No enum constant com.devo.mlx.malevolo.common.enums.EngineType.${engine}`, cid: cid() }];
    }
    const fileName = filePart.filename ?? '';
    const bytes = new Uint8Array(filePart.data);
    if (bytes.length === 0) {
      return [
        200,
        { valid: false, errorDetail: 'Invalid image: the file is empty', imageId: null, size: 0, outputType: null, category: null, fields: [], clusters: [], fileName, runtimeSize: null },
      ];
    }
    const image = storeImage(engine, fileName, bytes);
    const derived = deriveReview({ engine, fileName, bytes });
    return [
      200,
      {
        valid: true,
        errorDetail: null,
        imageId: image.id,
        size: bytes.length,
        outputType: derived['outputType'] ?? null,
        category: derived['category'] ?? null,
        fields: derived['fields'] ?? [],
        clusters: derived['clusters'] ?? [],
        fileName,
        runtimeSize: derived['runtimeSize'] ?? null,
      },
    ];
  }

  function checkSaveBody(body: unknown, violations: string[]): body is Record<string, unknown> {
    if (!isRecord(body)) {
      violations.push('save: body should be a JSON object');
      return false;
    }
    const keys = Object.keys(body);
    const expected = 'id' in body ? [...saveKeyOrder, 'id'] : saveKeyOrder;
    for (const key of keys) if (!expected.includes(key)) violations.push(`save: unexpected key "${key}"`);
    for (const key of expected) if (!keys.includes(key)) violations.push(`save: missing key "${key}"`);
    if (violations.length === 0 && keys.join(',') !== expected.join(',')) {
      violations.push(`save: keys in order ${keys.join(',')}, the official client sends ${expected.join(',')}`);
    }
    const check = (key: string, ok: (value: unknown) => boolean, what: string): void => {
      if (key in body && !ok(body[key])) violations.push(`save: "${key}" should be ${what}, got ${JSON.stringify(body[key])}`);
    };
    const nullOr = (test: (value: unknown) => boolean) => (value: unknown) => value === null || test(value);
    check('name', (value) => typeof value === 'string' && value !== '', 'a non-empty string');
    check('engine', (value) => typeof value === 'string', 'a string');
    check('description', nullOr((value) => typeof value === 'string'), 'a string or null');
    check(
      'image',
      (value) =>
        isRecord(value) &&
        Object.keys(value).join(',') === 'id,size' &&
        Number.isInteger(value['id']) &&
        Number.isInteger(value['size']),
      'an object {id, size} of integers',
    );
    check('outputType', nullOr((value) => typeof value === 'string'), 'a string or null');
    check('fields', nullOr(Array.isArray), 'an array or null');
    check('clusters', nullOr(Array.isArray), 'an array or null');
    check('category', nullOr((value) => typeof value === 'string'), 'a string or null');
    check('runtimeSize', nullOr((value) => typeof value === 'number'), 'a number or null');
    check('hidden', (value) => typeof value === 'boolean', 'a boolean');
    check('id', (value) => Number.isInteger(value), 'an integer');
    return true;
  }

  function handleSave(record: RecordedRequest, request: IncomingMessage): [number, unknown] {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) record.violations.push(`save: Content-Type should be application/json, got "${contentType}"`);
    let body: unknown;
    try {
      body = JSON.parse(record.body.toString('utf8'));
    } catch {
      record.violations.push('save: body is not JSON');
      return [400, { code: 400, msg: 'Malformed JSON', cid: cid() }];
    }
    const wellFormed = checkSaveBody(body, record.violations);
    if (!wellFormed || (strict && record.violations.length > 0)) {
      return [400, { code: 400, msg: `Protocol violation: ${record.violations.join('; ')}`, cid: cid() }];
    }
    const save = body as Record<string, unknown>;
    const name = String(save['name']);
    const imageRecord = isRecord(save['image']) ? save['image'] : {};
    const image = images.get(Number(imageRecord['id']));
    if (image === undefined) return [400, { code: 400, msg: `Image ${String(imageRecord['id'])} not found`, cid: cid() }];
    if (imageRecord['size'] !== image.bytes.length) {
      record.violations.push(`save: image.size ${String(imageRecord['size'])} differs from the uploaded ${image.bytes.length} bytes`);
      if (strict) return [400, { code: 400, msg: `Protocol violation: ${record.violations.join('; ')}`, cid: cid() }];
    }
    const existing = models.get(name);
    const time = now();
    const derived = {
      engine: String(save['engine']),
      description: (save['description'] as string | null | undefined) ?? null,
      outputType: save['outputType'] ?? null,
      category: save['category'] ?? null,
      fields: save['fields'] ?? [],
      clusters: save['clusters'] ?? [],
      runtimeSize: save['runtimeSize'] ?? null,
      hidden: save['hidden'] === true,
      imageId: image.id,
    };
    if ('id' in save) {
      if (existing === undefined || existing.id !== save['id']) {
        return [400, { code: 400, msg: `Model id ${String(save['id'])} does not belong to a model named '${name}'`, cid: cid() }];
      }
      models.set(name, { ...existing, ...derived, updateDate: time });
      return [204, undefined];
    }
    if (existing !== undefined) return [409, { code: 409, msg: `Model '${name}' already exists`, cid: cid() }];
    const id = nextModelId++;
    models.set(name, { id, name, ...derived, creationDate: time, updateDate: time, domainName: 'self', parentId: id });
    return [204, undefined];
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawUrl = request.url ?? '/';
    const questionMark = rawUrl.indexOf('?');
    const path = questionMark < 0 ? rawUrl : rawUrl.slice(0, questionMark);
    const query = questionMark < 0 ? '' : rawUrl.slice(questionMark + 1);
    const method = (request.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      method,
      path,
      query,
      headers: { ...request.headers },
      rawHeaders: [...request.rawHeaders],
      body: Buffer.concat(chunks),
      violations: [],
      status: -1,
    };
    requests.push(record);

    // Route path: after the prefix and an optional /domains/{d}.
    let routePath: string | undefined;
    if (path === prefix || path.startsWith(`${prefix}/`)) {
      const rest = path.slice(prefix.length);
      const legacy = /^\/domains\/[^/]+(\/.*)?$/.exec(rest);
      if (legacy) {
        if (layout !== 'modern') routePath = legacy[1] ?? '';
      } else if (layout !== 'legacy') {
        routePath = rest;
      }
    }

    const rule = takeRule(method, routePath ?? path);
    if (rule?.kind === 'reset') {
      record.status = 0;
      request.socket.destroy();
      return;
    }
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, delayMs);
        timers.set(timer, resolve);
      });
      if (response.destroyed || request.socket.destroyed) return;
    }
    if (rule?.kind === 'fail') {
      const failure = rule.failure;
      const status = failure.status ?? 500;
      send(response, record, status, failure.body ?? { code: status, msg: STATUS_CODES[status] ?? 'Error', cid: cid() }, failure.headers, failure.gzip);
      return;
    }

    if (routePath === undefined || !routePath.startsWith('/models')) {
      send(response, record, 404, notFound());
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
        send(response, record, 400, { code: 400, msg: 'Malformed percent-encoding in the path', cid: cid() });
        return;
      }
    }
    if (route === undefined) {
      send(response, record, 404, notFound());
      return;
    }
    const allowed = route === 'list' ? ['GET', 'POST'] : route === 'upload' ? ['POST'] : ['GET', 'DELETE'];
    if (!allowed.includes(method)) {
      send(response, record, 405, notAllowed());
      return;
    }
    if (!authenticate(request)) {
      send(response, record, 403, { code: 5, msg: 'Token invalid or expired', cid: cid() });
      return;
    }

    if (route === 'list' && method === 'GET') {
      send(response, record, 200, [...models.values()].filter((model) => !model.hidden).map(summary));
      return;
    }
    if (route === 'list') {
      const [status, body] = handleSave(record, request);
      send(response, record, status, body);
      return;
    }
    if (route === 'upload') {
      const [status, body] = handleUpload(record, request);
      send(response, record, status, body);
      return;
    }
    if (method === 'DELETE') {
      models.delete(name);
      send(response, record, 204);
      return;
    }
    const fastValues = new URLSearchParams(query).getAll('fast');
    let fast = true;
    if (fastValues.length !== 1) {
      record.violations.push(`get: expected one "fast" query parameter (True or False), got ${fastValues.length}`);
    } else if (/^(true|false)$/i.test(fastValues[0]!)) {
      fast = fastValues[0]!.toLowerCase() === 'true';
    } else {
      record.violations.push(`get: "fast" should be True or False, got "${fastValues[0]!}"`);
    }
    if (strict && record.violations.length > 0) {
      send(response, record, 400, { code: 400, msg: `Protocol violation: ${record.violations.join('; ')}`, cid: cid() });
      return;
    }
    const model = models.get(name);
    if (model === undefined) {
      send(response, record, 204);
      return;
    }
    send(response, record, 200, modelBody(model, fast));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
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
      const model = models.get(name);
      return model === undefined ? undefined : structuredClone(model);
    },
    getImageBytes(imageId) {
      const image = images.get(imageId);
      return image === undefined ? undefined : Uint8Array.from(image.bytes);
    },
    modelFile(name) {
      const model = models.get(name);
      const image = model === undefined ? undefined : images.get(model.imageId);
      return model === undefined || image === undefined ? undefined : { engine: model.engine, bytes: Uint8Array.from(image.bytes) };
    },
    seedModel(seed) {
      const image = storeImage(seed.engine, seed.fileName ?? seed.name, seed.bytes);
      const derived = deriveReview({ engine: seed.engine, fileName: image.fileName, bytes: seed.bytes });
      const time = now();
      const existing = models.get(seed.name);
      const id = existing?.id ?? nextModelId++;
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
      models.set(seed.name, model);
      return structuredClone(model);
    },
    failNext(failure = {}) {
      rules.push({ kind: 'fail', failure, left: failure.times ?? 1 });
    },
    resetConnectionNext(match = {}) {
      rules.push({ kind: 'reset', match, left: match.times ?? 1 });
    },
    setDelay(milliseconds) {
      delayMs = milliseconds;
    },
    setTrickle(milliseconds) {
      trickleMs = milliseconds;
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
