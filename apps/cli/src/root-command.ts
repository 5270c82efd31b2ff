import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { globalArgs } from './global-args';
import { VERSION } from './version';

const lazy = (load: () => Promise<{ default: unknown }>) => async () => (await load()).default as CommandDef<ArgsDef>;

/**
 * The root `dga` command. Each subcommand module is imported only when it runs (or its help is
 * shown), so `dga --help` loads neither tfjs nor onnxruntime.
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
  },
}) as unknown as CommandDef<ArgsDef>;
