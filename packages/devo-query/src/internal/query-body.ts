import { resolveQueryDate } from '../dates';
import { DevoQueryError } from '../errors';
import type { QueryOptions } from '../query-types';
import { QUERY_FORMATS } from './response-parser';

/** The error of an invalid query option. */
export function invalidOption(name: string, detail: string): DevoQueryError {
  return new DevoQueryError('ERR_QUERY_INVALID_OPTION', `Invalid query option "${name}": ${detail}`);
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw invalidOption(name, `${String(value)} is not a non-negative integer.`);
  }
}

/** Builds the request body of docs/reference/devo-query-api.md §3, omitting absent fields. Exported for tests. */
export function buildQueryBody(options: QueryOptions, nowMs: number): Record<string, unknown> {
  const hasQuery = typeof options.query === 'string' && options.query.trim() !== '';
  const hasId = typeof options.queryId === 'string' && options.queryId !== '';
  if (hasQuery === hasId) throw invalidOption('query', 'give exactly one of "query" (LINQ text) and "queryId".');
  if ((options.from as unknown) === undefined) throw invalidOption('from', 'is required (e.g. "now() - 1h", a Date, or epoch ms).');
  const format = options.format ?? 'json/simple/compact';
  if (!QUERY_FORMATS.includes(format)) {
    throw invalidOption('format', `${JSON.stringify(format)} is not supported; use one of ${QUERY_FORMATS.join(', ')}.`);
  }
  checkCount('limit', options.limit);
  checkCount('offset', options.offset);
  if (options.keepAlive !== undefined && format !== 'csv' && format !== 'tsv') {
    throw invalidOption('keepAlive', `only applies to csv and tsv (JSON formats always pad with spaces); remove it for ${format}.`);
  }
  const from = resolveQueryDate(options.from, 'from', nowMs);
  let to = options.to === undefined ? undefined : resolveQueryDate(options.to, 'to', nowMs);
  // Whole-document formats only end when the query does: without `to` they would never answer,
  // so use "now" as the Python SDK does ([C], docs/reference/devo-query-api.md §4).
  if (to === undefined && (format === 'json' || format === 'json/compact')) to = Math.floor(nowMs / 1000);
  if (typeof from === 'number' && typeof to === 'number' && from > to) {
    throw invalidOption('from', `${from} is after "to" ${to} (epoch seconds); the server would answer 400 (408).`);
  }
  const body: Record<string, unknown> = {};
  if (hasQuery) body.query = options.query;
  else body.queryId = options.queryId;
  body.from = from;
  if (to !== undefined) body.to = to;
  body.mode = { type: format };
  if (options.limit !== undefined) body.limit = options.limit;
  if (options.offset !== undefined) body.offset = options.offset;
  if (options.timeZone !== undefined) body.timeZone = options.timeZone;
  if (options.ipAsString !== undefined) body.ipAsString = options.ipAsString;
  if (options.keepAlive !== undefined) body.keepAlive = options.keepAlive;
  if (options.progressInfo !== undefined) body.progressInfo = options.progressInfo;
  return body;
}
