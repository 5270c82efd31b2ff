import type { IncomingMessage } from 'node:http';
import type { Request as GotRequest } from 'got';
import { BODY_LIMIT, httpError } from './query-errors';
import { withRetries, type QueryTransport } from './query-transport';

async function readText(stream: AsyncIterable<unknown>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Opens `POST /search/query` and resolves once a 200 response has begun. */
export async function openQuery(transport: QueryTransport, body: string, signal: AbortSignal | undefined, deadline: number): Promise<GotRequest> {
  const request = 'POST /search/query';
  // A query is a POST but semantically a read: it opts in to retries here, and only for
  // connection failures before the first response byte (never once data has flowed, never on
  // HTTP errors), like the Python SDK (docs/reference/devo-query-api.md §10).
  return withRetries(
    transport,
    request,
    signal,
    deadline,
    async () => {
      const stream = transport.http.stream.post('search/query', {
        body,
        headers: transport.authHeaders(body),
        ...transport.remainingTimeout(deadline),
        ...(signal === undefined ? {} : { signal }),
      });
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        stream.once('response', resolve);
        stream.once('error', reject);
      });
      if (response.statusCode !== 200) {
        let text: string;
        try {
          text = await readText(stream, BODY_LIMIT);
        } finally {
          stream.destroy();
        }
        throw httpError(response.statusCode ?? 0, text, request);
      }
      return stream;
    },
    false,
  );
}
