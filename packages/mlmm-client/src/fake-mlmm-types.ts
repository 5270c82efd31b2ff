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
