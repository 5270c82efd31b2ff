import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './authenticate';
import { sendBody, type FakeQueryContext } from './fake-query-context';
import { handleJobs } from './handle-jobs';
import { handleQuery } from './handle-query';

/**
 * Answers one request whose body is `raw`: records it, plays the next script step (delay, dropped
 * connection, HTTP error), checks the credentials and routes it (docs/reference/devo-query-api.md §11).
 */
export function routeRequest(context: FakeQueryContext, request: IncomingMessage, response: ServerResponse, raw: string): void {
  const url = request.url ?? '/';
  context.requests.push({ method: request.method ?? '', path: url, headers: { ...request.headers }, body: raw });
  const step = context.scripts.shift();
  void (async () => {
    if (step?.delayMs !== undefined) {
      // Wait, but no longer than the client does: a long scripted delay leaves no timer behind.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          response.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, step.delayMs);
        response.once('close', done);
      });
    }
    if (response.destroyed || request.socket.destroyed) return; // the client left while we waited
    if (step?.destroyConnection === true) {
      request.socket.destroy();
      return;
    }
    const failure = authenticate(context.options.auth, request, raw);
    if (failure !== undefined) {
      sendBody(response, 401, failure);
      return;
    }
    if (step?.httpError !== undefined) {
      sendBody(response, step.httpError.status, step.httpError.body, step.httpError.contentType);
      return;
    }
    const path = url.split('?')[0]!;
    if (request.method === 'POST' && path === '/search/query') {
      await handleQuery(context, response, raw, step);
    } else if (request.method === 'GET' && path.startsWith('/search/table/')) {
      const name = decodeURIComponent(path.slice('/search/table/'.length));
      const table = context.tables[name];
      if (table === undefined) {
        sendBody(response, 403, { error: `Access not allowed for table '${name}'`, status: 403, timestamp: context.now(), cid: context.cid() });
      } else {
        sendBody(response, 200, { cid: context.cid(), msg: '', object: table.columns.map((column) => ({ fieldName: column.name, type: column.type })), status: 0, timestamp: context.now() });
      }
    } else if (request.method === 'GET' && (path.startsWith('/search/jobs') || path.startsWith('/search/job/'))) {
      handleJobs(context, response, path);
    } else {
      sendBody(response, 404, { msg: `Not found: ${request.method ?? ''} ${path}`, status: 404, timestamp: context.now(), cid: context.cid() });
    }
  })().catch((error: unknown) => {
    if (!response.headersSent) sendBody(response, 500, { timestamp: context.now(), cid: context.cid(), error: 'server_error', status: 500 });
    else response.destroy(error instanceof Error ? error : undefined);
  });
}
