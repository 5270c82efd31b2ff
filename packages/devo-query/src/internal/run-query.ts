import type { Request as GotRequest } from 'got';
import { DevoQueryError } from '../errors';
import type { QueryColumn, QueryFormat, QueryOptions, QueryStream } from '../query-types';
import { openQuery } from './open-query';
import { buildQueryBody } from './query-body';
import { abortError, translate } from './query-errors';
import type { QueryTransport } from './query-transport';
import { ResponseParser } from './response-parser';

/** `QueryClient.query`: a stream of rows that opens the query when first iterated. */
export function runQuery(transport: QueryTransport, queryOptions: QueryOptions): QueryStream<never> {
  const { now, timeouts } = transport;
  const body = buildQueryBody(queryOptions, now());
  const bodyText = JSON.stringify(body);
  const format = (body.mode as { type: QueryFormat }).type;
  const signal = queryOptions.signal;
  let resolveColumns: (columns: QueryColumn[]) => void = () => {};
  let rejectColumns: (error: unknown) => void = () => {};
  const columns = new Promise<QueryColumn[]>((resolve, reject) => {
    resolveColumns = resolve;
    rejectColumns = reject;
  });
  columns.catch(() => {}); // the iterator reports the error; unread `columns` must not be an unhandled rejection
  let iterated = false;
  let rowCount = 0;
  const keepAliveToken = queryOptions.keepAlive?.type === 'token' ? queryOptions.keepAlive.token : undefined;

  async function* rows(): AsyncGenerator<never> {
    const request = 'POST /search/query';
    const parser = new ResponseParser(format, {
      rowShape: queryOptions.rowShape ?? 'object',
      timestamps: queryOptions.timestamps ?? 'epoch-ms',
      keepAliveToken,
      onColumns: resolveColumns,
      onProgress: queryOptions.onProgress,
    });
    let stream: GotRequest | undefined;
    try {
      stream = await openQuery(transport, bodyText, signal, transport.deadlineFromNow());
      try {
        for await (const chunk of stream) {
          parser.write(chunk as Buffer);
          if (parser.rows.length > 0) {
            for (const row of parser.takeRows()) {
              // A chunk holds many rows: notice an abort between them, not only at the next chunk.
              if (signal?.aborted === true) throw abortError(request, signal);
              rowCount++;
              yield row as never;
            }
          }
          if (parser.error !== undefined) throw parser.error;
        }
      } catch (error) {
        throw translate(error, request, signal, true, timeouts);
      }
      // got ends the stream without an error when the server closes a response that had no
      // length and no chunked framing; the parser then decides whether the body was complete.
      parser.end();
      for (const row of parser.takeRows()) {
        rowCount++;
        yield row as never;
      }
      if (parser.error !== undefined) throw parser.error;
      resolveColumns([]);
    } catch (error) {
      const failure = translate(error, request, signal, stream !== undefined, timeouts);
      rejectColumns(failure);
      throw failure;
    } finally {
      stream?.destroy();
    }
  }

  return {
    columns,
    get rowCount() {
      return rowCount;
    },
    [Symbol.asyncIterator]() {
      if (iterated) {
        throw new DevoQueryError('ERR_QUERY_INVALID_OPTION', 'A QueryStream can be iterated only once; call client.query() again for a new run.');
      }
      iterated = true;
      return rows();
    },
  };
}
