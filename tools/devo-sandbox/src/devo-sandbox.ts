import { startFakeQueryServer, QueryLaunchError, type FakeQueryServer, type QueryEngine } from '@dga/devo-query/testing';
import { startFakeMlmmServer, type FakeMlmmServer } from '@dga/mlmm-client/testing';
import { startFrontServer, type FrontServer } from './internal/front-server';
import type { LinqSemantics } from './linq/linq-semantics';
import { runLinqQuery, type SandboxTable } from './linq/run-query';
import { createOnnxModelResolver } from './onnx-model-resolver';
import { LinqQueryError } from './sandbox-error';

/** The token the sandbox accepts when none is given. Local use only. */
export const DEFAULT_SANDBOX_TOKEN = 'devo-sandbox-token';

/** Options of {@link startDevoSandbox}. */
export interface DevoSandboxOptions {
  /** Tables by name, e.g. `{ 'demo.ecommerce.data': createReferralTable(hosts, { endTime }) }`. @default {} */
  readonly tables?: Readonly<Record<string, SandboxTable>>;
  /** The one token both APIs accept (MLMM `standAloneToken` or `Bearer`; Query `Bearer`). @default DEFAULT_SANDBOX_TOKEN */
  readonly token?: string;
  /** Clock for `now()` in LINQ, relative API dates and model timestamps, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** The sandbox's Devo domain; `mlevalmodel` accepts it and `"self"`. @default 'self' */
  readonly domain?: string;
  /** Rows per ONNX Runtime batch. @default 512 */
  readonly batchSize?: number;
  /** Idle time before the Query API writes a keep-alive. @default 5000 */
  readonly keepAliveIntervalMs?: number;
  /** Port of the one front server on 127.0.0.1 (both APIs); 0 picks a free one. @default 0 */
  readonly port?: number;
  /** How LINQ's undocumented behaviours are evaluated (see `LinqSemantics`). @default DEFAULT_LINQ_SEMANTICS */
  readonly semantics?: Partial<LinqSemantics>;
}

/** A running sandbox: both fake APIs behind one port on 127.0.0.1. */
export interface DevoSandbox {
  /** Model Manager base URL (`http://127.0.0.1:<port>/mlmodelmanager`), for `DEVO_MLMM_URL`. */
  readonly mlmmUrl: string;
  /** Query API base URL (`http://127.0.0.1:<port>`, same port), for `DEVO_API_URL`. */
  readonly queryUrl: string;
  /** The accepted token, for `DEVO_TOKEN`. */
  readonly token: string;
  /** The fake Model Manager (to seed or inspect models). */
  readonly mlmm: FakeMlmmServer;
  /** The fake Query API (to inspect requests or script failures). */
  readonly query: FakeQueryServer;
  /** Stops both servers and releases the ONNX Runtime sessions. */
  close(): Promise<void>;
}

/**
 * The Devo error detail of a launch error, in Devo's words where known: syntax errors carry
 * the `ParseException` prefix Devo's server echoes.
 */
export function launchErrorDetail(error: LinqQueryError): string {
  return error.code === 'ERR_SANDBOX_LINQ_SYNTAX' ? `com.devo.malote.syntax.ParseException: ${error.message}` : error.message;
}

/**
 * Starts the Devo sandbox: the fake Model Manager (models are stored) and the fake Query API,
 * whose engine evaluates LINQ for real over `tables`, with `mlevalmodel` running the ONNX models
 * registered in that Model Manager through onnxruntime-node. Launch errors answer the Query API's
 * 500 "Error Launching Query" body.
 *
 * @example
 * const sandbox = await startDevoSandbox({ tables: { 'demo.ecommerce.data': table } });
 * // DEVO_MLMM_URL=sandbox.mlmmUrl DEVO_API_URL=sandbox.queryUrl DEVO_TOKEN=sandbox.token
 * await sandbox.close();
 */
export async function startDevoSandbox(options: DevoSandboxOptions = {}): Promise<DevoSandbox> {
  const token = options.token ?? DEFAULT_SANDBOX_TOKEN;
  const now = options.now ?? Date.now;
  const tables = options.tables ?? {};
  const mlmm = await startFakeMlmmServer({ tokens: [token], now });
  const resolver = createOnnxModelResolver({ getModelFile: (name) => mlmm.modelFile(name) }, { ...(options.domain === undefined ? {} : { domain: options.domain }) });
  const engine: QueryEngine = async (request) => {
    if (request.query === undefined) throw new QueryLaunchError('the sandbox has no saved queries: send the LINQ text as "query"');
    try {
      const result = await runLinqQuery(request.query, {
        tables,
        models: resolver,
        now: now(),
        from: request.from,
        ...(request.to === undefined ? {} : { to: request.to }),
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        ...(options.semantics === undefined ? {} : { semantics: options.semantics }),
      });
      return { columns: result.columns.map((column) => ({ ...column })), rows: result.rows };
    } catch (error) {
      if (LinqQueryError.isInstance(error)) {
        throw new QueryLaunchError(launchErrorDetail(error), { ...(error.offset === undefined ? {} : { position: error.offset }), cause: error });
      }
      throw error;
    }
  };
  let query: FakeQueryServer;
  try {
    query = await startFakeQueryServer({
      auth: { tokens: [token] },
      tables: Object.fromEntries(Object.entries(tables).map(([name, table]) => [name, { columns: table.columns.map((column) => ({ ...column })), rows: table.rows }])),
      engine,
      now,
      ...(options.keepAliveIntervalMs === undefined ? {} : { keepAliveIntervalMs: options.keepAliveIntervalMs }),
    });
  } catch (error) {
    await mlmm.close();
    throw error;
  }
  const mlmmUrl = new URL(mlmm.url);
  let front: FrontServer;
  try {
    front = await startFrontServer({ port: options.port ?? 0, mlmmOrigin: mlmmUrl.origin, mlmmPrefix: mlmmUrl.pathname, queryOrigin: query.url });
  } catch (error) {
    await Promise.all([query.close(), mlmm.close()]);
    throw error;
  }
  return {
    mlmmUrl: `${front.origin}${mlmmUrl.pathname}`,
    queryUrl: front.origin,
    token,
    mlmm,
    query,
    async close() {
      await front.close();
      await Promise.all([query.close(), mlmm.close()]);
      await resolver.dispose();
    },
  };
}
