import { defineCommand, runMain } from 'citty';
import { DEFAULT_SANDBOX_TOKEN, startDevoSandbox } from './devo-sandbox';
import { linqSemanticsChoices, type LinqSemantics } from './linq/linq-semantics';
import { loadSandboxTables } from './load-sandbox-tables';
import { isDevoSandboxError } from './sandbox-error';

const command = defineCommand({
  meta: {
    name: 'devo-sandbox',
    version: '0.0.0',
    description: 'An offline emulator of a subset of Devo: Model Manager + Query API (LINQ with mlevalmodel on ONNX Runtime).',
  },
  args: {
    'table-csv': {
      type: 'string',
      description: 'Table data: a labelled host;domain;class;subclass CSV (hosts become referral URLs), another CSV, or NDJSON',
      valueHint: 'file',
    },
    'table-name': { type: 'string', description: 'Name of the table', default: 'demo.ecommerce.data' },
    port: { type: 'string', description: 'Port on 127.0.0.1 for both APIs (0 = any free port)', default: '0' },
    token: { type: 'string', description: 'The token both APIs accept', default: DEFAULT_SANDBOX_TOKEN },
    json: { type: 'boolean', description: 'Print the URLs and token as one JSON document', default: false },
    semantics: {
      type: 'string',
      description: `Undocumented LINQ behaviours to emulate, key=value,… (${Object.entries(linqSemanticsChoices).map(([key, values]) => `${key}=${values.join('|')}`).join(', ')})`,
      valueHint: 'key=value,…',
    },
  },
  async run({ args }) {
    const port = Number(args.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      process.stderr.write(`devo-sandbox: --port ${args.port} is not a port number (0-65535)\n`);
      process.exitCode = 2;
      return;
    }
    const semantics = parseSemantics(args.semantics);
    if (typeof semantics === 'string') {
      process.stderr.write(`devo-sandbox: --semantics ${args.semantics ?? ''}: ${semantics}\n`);
      process.exitCode = 2;
      return;
    }
    const startedAt = Date.now();
    const tables = await loadSandboxTables({
      ...(args['table-csv'] === undefined ? {} : { tableFile: args['table-csv'] }),
      tableName: args['table-name'],
      // pnpm runs scripts in the package folder; INIT_CWD is where the user typed the command.
      cwd: process.env['INIT_CWD'] ?? process.cwd(),
      endTime: startedAt,
    });
    const sandbox = await startDevoSandbox({ tables, token: args.token, port, semantics });
    const rowCounts = Object.fromEntries(Object.entries(tables).map(([name, table]) => [name, table.rows.length]));
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ mlmmUrl: sandbox.mlmmUrl, queryUrl: sandbox.queryUrl, token: sandbox.token, tables: rowCounts })}\n`);
    } else {
      process.stdout.write(`DEVO_MLMM_URL=${sandbox.mlmmUrl}\nDEVO_API_URL=${sandbox.queryUrl}\nDEVO_TOKEN=${sandbox.token}\n`);
      for (const [name, rows] of Object.entries(rowCounts)) {
        process.stderr.write(`devo-sandbox: table ${name}: ${rows} rows, eventdate up to ${new Date(startedAt).toISOString()}\n`);
      }
      process.stderr.write('devo-sandbox: running on 127.0.0.1; Ctrl-C stops it\n');
    }
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        process.exitCode = signal === 'SIGINT' ? 130 : 0;
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      process.on('SIGHUP', stop);
    });
    await sandbox.close();
  },
});

/** `key=value,…` → overrides, or the reason it is not valid. */
function parseSemantics(text: string | undefined): Partial<LinqSemantics> | string {
  const overrides: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').filter((part) => part !== '')) {
    const [key = '', value = ''] = pair.split('=');
    const values = Object.hasOwn(linqSemanticsChoices, key) ? (linqSemanticsChoices[key as keyof LinqSemantics] as readonly string[]) : undefined;
    if (values === undefined) return `unknown key "${key}"; use one of ${Object.keys(linqSemanticsChoices).join(', ')}`;
    if (!values.includes(value)) return `${key} takes ${values.join(' or ')}, not "${value}"`;
    overrides[key] = value;
  }
  return overrides;
}

const rawArgs = process.argv.slice(2);
// `pnpm start -- --flag` may forward the `--` itself.
if (rawArgs[0] === '--') rawArgs.shift();

runMain(command, { rawArgs }).catch((error: unknown) => {
  process.stderr.write(`devo-sandbox: ${isDevoSandboxError(error) ? error.message : String(error instanceof Error ? error.stack : error)}\n`);
  process.exitCode = 1;
});
