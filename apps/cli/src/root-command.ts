import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { globalArgs } from './global-args';
import { VERSION } from './version';

const lazy = (load: () => Promise<{ default: unknown }>) => async () => (await load()).default as CommandDef<ArgsDef>;

/** One line per command, for `dga --help` (kept here so help loads no command module). */
export const commandSummaries: Readonly<Record<string, string>> = {
  features: 'Show the label extracted from domains, URLs or hosts, and its features',
  train: 'Train, evaluate, export to ONNX, verify and report (the whole tutorial)',
  export: 'Convert a saved tfjs model to ONNX, checking parity with ONNX Runtime',
  classify: 'Classify domains, URLs or hosts with an ONNX model (streams files in constant memory)',
  evaluate: 'Metrics of an ONNX model on a labelled CSV, overall and per DGA family',
  register: "Upload an ONNX model to Devo's Model Manager",
  models: "Browse Devo's Model Manager: list, get, download",
  linq: 'Print the corrected Devo classification query (LINQ) for a model',
  query: 'Run the classification query (or any LINQ) through the Devo Query API',
  devo: 'devo probe: check on your Devo domain what the classification query assumes',
};

/**
 * The root `dga` command. Each subcommand module is imported only when it runs (or its own help
 * is shown), so `dga --help` loads neither tfjs nor onnxruntime, nor any command module.
 */
export const rootCommand: CommandDef<ArgsDef> = defineCommand({
  meta: {
    name: 'dga',
    version: VERSION,
    description: 'Detect DGA domains with machine learning on the Devo platform',
  },
  args: globalArgs,
  subCommands: {
    features: lazy(() => import('./commands/features')),
    train: lazy(() => import('./commands/train')),
    export: lazy(() => import('./commands/export')),
    classify: lazy(() => import('./commands/classify')),
    evaluate: lazy(() => import('./commands/evaluate')),
    register: lazy(() => import('./commands/register')),
    models: lazy(() => import('./commands/models')),
    linq: lazy(() => import('./commands/linq')),
    query: lazy(() => import('./commands/query')),
    devo: lazy(() => import('./commands/devo')),
  },
}) as unknown as CommandDef<ArgsDef>;

/** The text of `dga --help`. */
export function renderRootUsage(): string {
  const width = Math.max(...Object.keys(commandSummaries).map((name) => name.length));
  return [
    `dga ${VERSION}: detect DGA domains with machine learning on the Devo platform`,
    '',
    'USAGE dga <command> [OPTIONS]',
    '',
    'COMMANDS',
    '',
    ...Object.entries(commandSummaries).map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'OPTIONS (every command)',
    '',
    '  --verbose                  Log debug details and error causes on stderr',
    '  --quiet                    Log only warnings and errors; no progress',
    '  --log-format human|json    Log format on stderr',
    '  -h, --help                 Help of any command: dga <command> --help, or dga help <command>',
    '  --version                  Print the version',
    '',
    'Start with: dga train --out runs/latest   (then open runs/latest/report.html)',
    'Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted (SIGINT), 143 terminated (SIGTERM). See apps/cli/README.md.',
  ].join('\n');
}
