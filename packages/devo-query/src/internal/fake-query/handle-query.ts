import type { ServerResponse } from 'node:http';
import { QueryLaunchError, type FakeQueryScript, type QueryEngineRequest, type QueryEngineResult } from '../../fake-query-types';
import { badParameters, envelope, sendBody, type FakeQueryContext } from './fake-query-context';
import { BadParameters, resolveRequestDate } from './request-dates';
import { FORMATS } from './result-encoder';
import { streamResult } from './stream-result';
import { stripPragmas } from './strip-pragmas';

/** `POST /search/query` (docs/reference/devo-query-api.md §3): checks the body, starts a job or runs the engine and streams its rows. */
export async function handleQuery(
  context: FakeQueryContext,
  response: ServerResponse,
  raw: string,
  step: FakeQueryScript | undefined,
): Promise<void> {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    sendBody(response, 400, badParameters('400 : Body is not a JSON object'));
    return;
  }
  const nowMs = context.now();
  const unit = body.timeUnit === 'MILLISECONDS' ? 'MILLISECONDS' : 'SECONDS';
  let fromMs: number;
  let toMs: number | undefined;
  try {
    if (body.from === undefined || body.from === null) throw new BadParameters('405 : Missing date from');
    fromMs = resolveRequestDate(body.from, 'from', unit, nowMs);
    // `to: null` is "absent" (the Python SDK sends it, docs/reference/devo-query-api.md §3).
    toMs = body.to === undefined || body.to === null ? undefined : resolveRequestDate(body.to, 'to', unit, nowMs, fromMs);
    if (toMs !== undefined && fromMs > toMs) throw new BadParameters('408 : Date from is after date to');
    if (typeof body.query !== 'string' && typeof body.queryId !== 'string') throw new BadParameters('400 : query or queryId is required');
  } catch (error) {
    if (BadParameters.isInstance(error)) {
      sendBody(response, 400, badParameters(error.message));
      return;
    }
    throw error;
  }
  const mode = body.mode as { type?: unknown } | undefined;
  const format = mode?.type === undefined ? 'json' : typeof mode.type === 'string' ? mode.type : JSON.stringify(mode.type);
  if (!FORMATS.has(format)) {
    sendBody(response, 400, badParameters(`400 : Unsupported mode ${format} (the fake serves ${[...FORMATS].join(', ')})`));
    return;
  }
  let query = typeof body.query === 'string' ? stripPragmas(body.query) : undefined;
  const queryId = typeof body.queryId === 'string' ? body.queryId : undefined;
  if (query === undefined && queryId !== undefined) query = context.options.savedQueries?.[queryId];
  const limit = typeof body.limit === 'number' ? body.limit : undefined;
  const offsetValue = body.offset ?? body.skip; // [I] aliases (docs/reference/devo-query-api.md §3)
  const offset = typeof offsetValue === 'number' ? offsetValue : 0;

  if (body.destination !== undefined) {
    const destination = body.destination as { type?: unknown };
    const jobNumber = context.nextJobNumber();
    const id = `00000000-0000-4000-8000-${jobNumber.toString(16).padStart(12, '0')}`;
    context.jobs.set(id, {
      id,
      status: 'RUNNING',
      type: typeof destination.type === 'string' ? destination.type : 'unknown',
      friendlyName: `fake-task-${jobNumber}`,
      query: query ?? '',
      eventGenerated: 0,
      eventsSent: 0,
      lastDatetime: nowMs,
      error: [],
      extra: {},
    });
    sendBody(response, 200, envelope(context, { id }));
    return;
  }

  const controller = new AbortController();
  response.on('close', () => controller.abort());
  if (response.destroyed) controller.abort();
  let result: QueryEngineResult;
  try {
    if (query === undefined) throw new QueryLaunchError(`Saved query not found: ${queryId ?? ''}`);
    const engineRequest: QueryEngineRequest = { query, from: fromMs, body, signal: controller.signal };
    if (queryId !== undefined) engineRequest.queryId = queryId;
    if (toMs !== undefined) engineRequest.to = toMs;
    if (limit !== undefined) engineRequest.limit = limit;
    if (offset > 0) engineRequest.offset = offset;
    if (typeof body.timeZone === 'string') engineRequest.timeZone = body.timeZone;
    result = await context.engine(engineRequest);
  } catch (error) {
    if (QueryLaunchError.isInstance(error)) {
      const detail = error.position === undefined ? error.message : `${error.message} (at position ${error.position})`;
      sendBody(response, 500, { msg: 'Error Launching Query', status: 500, timestamp: context.now(), cid: context.cid(), object: ['Error Launching Query', detail] });
    } else {
      sendBody(response, 500, { timestamp: context.now(), cid: context.cid(), error: 'server_error', status: 500 });
    }
    return;
  }
  await streamResult(context, response, format, body, result, { limit, offset, openEnded: toMs === undefined, step, signal: controller.signal });
}
