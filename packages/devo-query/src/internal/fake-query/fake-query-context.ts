import type { ServerResponse } from 'node:http';
import type { FakeJob, FakeQueryScript, FakeQueryServerOptions, FakeTable, QueryEngine, RecordedRequest } from '../../fake-query-types';
import { createDefaultEngine } from './default-engine';

/** The state and settings of one fake Query API server. */
export interface FakeQueryContext {
  options: FakeQueryServerOptions;
  now: () => number;
  tables: Readonly<Record<string, FakeTable>>;
  engine: QueryEngine;
  keepAliveIntervalMs: number;
  progressEveryRows: number;
  writeBufferBytes: number;
  requests: RecordedRequest[];
  jobs: Map<string, FakeJob>;
  /** Scripted behaviour, one step per request. */
  scripts: FakeQueryScript[];
  /** The next correlation id. */
  cid: () => string;
  /** The next job number (1, 2, …). */
  nextJobNumber: () => number;
  /** Responses being streamed now. */
  open: number;
}

/** The context of a server started with `options`, defaults filled in. */
export function createFakeQueryContext(options: FakeQueryServerOptions): FakeQueryContext {
  const tables = options.tables ?? {};
  let cidCounter = 0;
  let jobCounter = 0;
  return {
    options,
    now: options.now ?? Date.now,
    tables,
    engine: options.engine ?? createDefaultEngine(tables),
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 5000,
    progressEveryRows: options.progressEveryRows ?? 1000,
    writeBufferBytes: options.writeBufferBytes ?? 16_384,
    requests: [],
    jobs: new Map(),
    scripts: [],
    cid: () => (++cidCounter).toString(16).padStart(12, '0'),
    nextJobNumber: () => ++jobCounter,
    open: 0,
  };
}

/** Answers with `body` (JSON unless a string) and a content length. */
export function sendBody(response: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** The success envelope of the job and table calls. */
export function envelope(context: FakeQueryContext, object: unknown): unknown {
  return { status: 0, cid: context.cid(), timestamp: context.now(), object };
}

/** The 400 body of a parameter error. */
export const badParameters = (message: string): unknown => ({ error: 'Bad parameters', status: 400, object: [message] });
