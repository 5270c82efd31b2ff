import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { DEFAULT_FEATURE_SET, featureSetNames } from '@dga/features';
import { UsageError } from '../exit-error';
import { devoArgs, globalArgs, queryTimeoutArgs } from '../global-args';
import { classificationQueryArgs, classificationQueryOf } from '../internal/classification-query';
import { queryApiArgs, queryConfigFrom, startQuery } from '../internal/query-api';
import { decisionThreshold, loadModelInfo } from '../internal/model-info';
import { parseNumberFlag, parseThreshold } from '../internal/parse-flags';
import { createBufferedOutput } from '../internal/buffered-output';
import { createRowWriter, formatNumber, valueText } from '../internal/render';
import { timeoutExitError, timeoutsFrom } from '../internal/timeouts';
import { runtimeOf } from '../runtime';
import { VERSION } from '../version';


export default defineCommand({
  meta: { name: 'query', description: 'Run the classification query (or any LINQ) through the Devo Query API' },
  args: {
    query: { type: 'string', description: 'LINQ to run (default: the classification query for --name/--model)', valueHint: 'linq' },
    from: { type: 'string', required: true, description: "Start: now()-1*hour(), a date, or epoch seconds", valueHint: 'from' },
    to: { type: 'string', description: 'End (default: now(), so the query finishes instead of streaming forever)', valueHint: 'to' },
    format: { type: 'enum', options: ['table', 'json', 'csv'], description: 'Output: table, NDJSON or CSV (default table)' },
    json: { type: 'boolean', description: 'NDJSON (same as --format json)' },
    limit: { type: 'string', description: 'At most N rows', valueHint: 'n' },
    name: { type: 'string', description: 'Registered model name for the classification query', valueHint: 'name' },
    model: { type: 'string', alias: 'm', description: 'ONNX model whose metadata names the feature set', valueHint: 'model.onnx' },
    features: { type: 'enum', options: [...featureSetNames], description: 'Feature set of the model (default bigram)' },
    table: { type: 'string', description: 'Devo table', default: 'demo.ecommerce.data', valueHint: 'table' },
    field: { type: 'string', description: 'Field holding the URL or host', default: 'referralUri', valueHint: 'field' },
    'field-kind': { type: 'enum', options: ['url', 'host'], description: 'Whether --field holds URLs or hosts', default: 'url' },
    domain: { type: 'string', description: 'Devo domain of the model (env DEVO_DOMAIN; default self)', valueHint: 'domain' },
    threshold: { type: 'string', description: 'isMalicious when P(DGA) >= threshold (default: the threshold recorded in --model, else 0.5)', valueHint: '0..1' },
    ...classificationQueryArgs,
    ...queryApiArgs,
    ...queryTimeoutArgs,
    ...devoArgs,
    ...globalArgs,
  },
  async run(context) {
    const runtime = runtimeOf(context);
    const { args } = context;
    if (args.json === true && args.format !== undefined && args.format !== 'json') throw new UsageError(`--json contradicts --format ${args.format}`);
    const format = args.json === true ? 'json' : (args.format ?? 'table');
    const limit = parseNumberFlag(args.limit, 'limit', { integer: true, min: 1 });
    parseThreshold(args.threshold);
    const timeouts = timeoutsFrom(args);
    let query = args.query;
    if (query === undefined) {
      let featureSet = args.features;
      const model = args.model === undefined ? undefined : await loadModelInfo(args.model, runtime);
      if (model !== undefined) featureSet = model.featureSet;
      featureSet ??= DEFAULT_FEATURE_SET;
      query = classificationQueryOf(args, featureSet, decisionThreshold(args.threshold, model), runtime.env);
    } else if (args.name !== undefined || args.model !== undefined) {
      throw new UsageError('--query runs the LINQ given as is; --name and --model only build the classification query');
    }
    const config = queryConfigFrom(args, runtime);
    runtime.logger.debug('query', { linq: query });
    const { createQueryClient, isQueryTimeoutError } = await import('@dga/devo-query');
    const client = createQueryClient({
      url: config.url,
      ...(timeouts.timeoutMs === undefined ? {} : { timeoutMs: timeouts.timeoutMs }),
      ...(timeouts.totalTimeoutMs === undefined ? {} : { totalTimeoutMs: timeouts.totalTimeoutMs }),
      auth: config.auth.type === 'token' ? { type: 'token', token: config.auth.token } : { type: 'apiKey', apiKey: config.auth.apiKey, apiSecret: config.auth.apiSecret },
      userAgent: `@dga/cli/${VERSION}`,
      onRetry: (event) => runtime.logger.warn(`query request failed (${event.error.message}); retrying`, { attempt: event.attempt, delayMs: event.delayMs }),
    });
    // Dates go to the client as given: it reads epoch seconds, dates, `now()-1*hour()` and the
    // Devo date language (see `resolveQueryDate` of @dga/devo-query).
    const from = args.from;
    // Without an end the Query API runs a continuous query that never closes; a CLI user wants
    // the rows up to now, so that is the default.
    const to = args.to ?? 'now()';
    const stream = startQuery(() =>
      client.query({
        query,
        from,
        to,
        ...(limit === undefined ? {} : { limit }),
        signal: runtime.signal,
      }),
    );
    const started = performance.now();
    // Rows reach stdout in large writes, yet none waits more than a second: a slow or
    // continuous query shows its rows as they come.
    const output = createBufferedOutput(runtime.stdout);
    let writer: ReturnType<typeof createRowWriter> | undefined;
    let count = 0;
    try {
      for await (const row of stream) {
        if (writer === undefined) {
          const columns = await stream.columns;
          writer = createRowWriter(
            format,
            columns.map((column) => ({
              key: column.name,
              width: Math.min(40, Math.max(column.name.length, (column.type ?? '').startsWith('float') ? 8 : 20)),
              ...(/^(float|int)/.test(column.type ?? '') ? { align: 'right' as const } : {}),
              format: (value: unknown) => (typeof value === 'number' ? formatNumber(value) : valueText(value)),
            })),
          );
          await output.write(writer.header());
        }
        count += 1;
        await output.write(writer.row(row));
      }
      if (writer === undefined && format !== 'json') {
        const columns = await stream.columns.catch(() => []);
        if (columns.length > 0) await output.write(createRowWriter(format, columns.map((column) => ({ key: column.name }))).header());
      }
    } catch (error) {
      if (isQueryTimeoutError(error)) {
        throw timeoutExitError({ kind: error.kind, timeoutMs: error.timeoutMs, request: `the query (${error.request ?? 'POST /search/query'})` }, error);
      }
      throw error;
    } finally {
      // The rows that arrived before an error (or an interrupt) are printed before it is reported.
      await output.flush();
    }
    runtime.logger.info(`${count} rows`, { seconds: Math.round((performance.now() - started) / 10) / 100 });
  },
}) as unknown as CommandDef<ArgsDef>;
