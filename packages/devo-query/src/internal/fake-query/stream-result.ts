import type { ServerResponse } from 'node:http';
import type { FakeQueryScript, QueryEngineResult } from '../../fake-query-types';
import type { FakeQueryContext } from './fake-query-context';
import { createResponseWriter } from './response-writer';
import { createResultEncoder } from './result-encoder';

/** How to stream one result: paging, whether the query is open-ended, the script step, the client's disconnect. */
export interface StreamContext {
  limit: number | undefined;
  offset: number;
  openEnded: boolean;
  step: FakeQueryScript | undefined;
  signal: AbortSignal;
}

/** The keep-alive text of a format (docs/reference/devo-query-api.md §6): spaces for json, the `keepAlive` choice for csv/tsv. */
function keepAliveTextOf(body: Record<string, unknown>, isCsv: boolean, separator: string, columnCount: number): string {
  if (!isCsv) return '    ';
  const keepAliveOption = body.keepAlive as { type?: unknown; token?: unknown } | undefined;
  if (keepAliveOption?.type === 'token') return typeof keepAliveOption.token === 'string' ? keepAliveOption.token : '\n';
  if (keepAliveOption?.type === 'empty') return separator.repeat(Math.max(0, columnCount - 1)) + '\n';
  return '';
}

/**
 * Streams `result` as a 200 response in `format`, with progress lines, keep-alives and the
 * scripted misbehaviour of `step` (error marker, truncation) (docs/reference/devo-query-api.md §5–§7).
 */
export async function streamResult(
  context: FakeQueryContext,
  response: ServerResponse,
  format: string,
  body: Record<string, unknown>,
  result: QueryEngineResult,
  stream: StreamContext,
): Promise<void> {
  const { columns } = result;
  const { step, signal } = stream;
  const { now, progressEveryRows } = context;
  const progress = body.progressInfo === true && format === 'json/simple/compact';
  const timestamp = now();
  const encoder = createResultEncoder(format, columns, body.ipAsString === true, timestamp, context.cid());
  const { isCsv, separator, lineEnd } = encoder;
  const keepAliveText = keepAliveTextOf(body, isCsv, separator, columns.length);
  const errorStatus = step?.errorStatus ?? 500;
  let errorMessage = step?.errorMessage ?? 'Error Processing Query: scripted';
  const errorMarker = (): string => encoder.errorMarker(errorStatus, errorMessage, step?.errorObjectShape === true);
  const contentType = format === 'csv' ? 'text/csv' : format === 'tsv' ? 'text/tab-separated-values' : 'application/json';
  response.writeHead(200, { 'content-type': contentType });
  context.open++;

  const writer = createResponseWriter(response, context.writeBufferBytes, keepAliveText, context.keepAliveIntervalMs);
  const { emit, flush } = writer;
  const keepAliveAt = new Set(step?.keepAliveAt ?? []);
  const injectAt = (position: number): string => (keepAliveAt.has(position) ? keepAliveText.repeat(step?.keepAliveRepeat ?? 1) : '');

  const isAsync = Symbol.asyncIterator in result.rows;
  const iterator: AsyncIterator<unknown[]> | Iterator<unknown[]> =
    Symbol.asyncIterator in result.rows ? result.rows[Symbol.asyncIterator]() : result.rows[Symbol.iterator]();
  try {
    await emit(injectAt(0) + encoder.head());
    if (progress) await emit(`{"p":[${now()}]}${lineEnd}`);
    let skipped = 0;
    let delivered = 0;
    for (;;) {
      if (signal.aborted) return;
      if (step?.errorAfterRows === delivered) {
        await emit(errorMarker());
        flush();
        response.end();
        return;
      }
      if (step?.truncateAfterRows === delivered) {
        const cut = format === 'json' || format === 'json/compact' ? ',[' : format === 'json/simple/compact' ? '{"d":[1' : isCsv ? `"unterminated${separator}` : '{"eventdate":';
        const text = writer.takePending() + cut;
        if (step.truncateMode === 'end') {
          response.end(text);
        } else {
          // Let the bytes reach the socket, then drop it: no final chunk, like a crash mid-line.
          await new Promise<void>((resolve) => response.write(text, () => resolve()));
          response.socket?.destroy();
        }
        return;
      }
      if (stream.limit !== undefined && delivered >= stream.limit) break;
      // Sync sources are read without an await per row (much faster for big in-memory/lazy tables).
      let next: IteratorResult<unknown[]>;
      try {
        next = isAsync ? await (iterator as AsyncIterator<unknown[]>).next() : (iterator as Iterator<unknown[]>).next();
      } catch (error) {
        // The engine failed after the 200 went out: answer as Devo does, with the docs/reference/devo-query-api.md §7.2 marker.
        errorMessage = `Error Processing Query: ${error instanceof Error ? error.message : String(error)}`;
        await emit(errorMarker());
        flush();
        response.end();
        return;
      }
      if (next.done === true) break;
      if (skipped < stream.offset) {
        skipped++;
        continue;
      }
      const drained = emit(injectAt(delivered + 1) + encoder.encodeRow(next.value, delivered === 0));
      if (drained !== undefined) await drained;
      delivered++;
      if (progress && delivered % progressEveryRows === 0) await emit(`{"p":[${now()}]}${lineEnd}`);
    }
    await emit(injectAt(delivered + 1));
    if (stream.openEnded) {
      // A continuous query never ends: idle with keep-alives until the client disconnects (docs/reference/devo-query-api.md §3).
      flush();
      await new Promise<void>((resolve) => {
        if (response.destroyed) resolve();
        else response.once('close', () => resolve());
      });
      return;
    }
    await emit(encoder.tail());
    flush();
    response.end();
  } finally {
    writer.stop();
    context.open--;
    await (iterator as AsyncIterator<unknown[]>).return?.();
  }
}
