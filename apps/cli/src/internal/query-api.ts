import { resolveQueryConfig, type QueryConfig } from '../config';
import type { CommandRuntime } from '../runtime';

/** The citty definitions of the Query API flags (`--token` comes with the shared Devo flags). */
export const queryApiArgs = {
    'api-url': { type: 'string', description: 'Query API base URL (env DEVO_API_URL), e.g. https://apiv2-us.devo.com', valueHint: 'url' },
    'api-key': { type: 'string', description: 'API key (env DEVO_API_KEY), with --api-secret, instead of a token', valueHint: 'key' },
    'api-secret': { type: 'string', description: 'API secret (env DEVO_API_SECRET; never printed)', valueHint: 'secret' },
} as const;

/** The Query API flags as parsed by citty. */
export interface QueryApiFlags {
  'api-url'?: string | undefined;
  token?: string | undefined;
  'api-key'?: string | undefined;
  'api-secret'?: string | undefined;
}

/** Resolves Query API config (flags > env > modelmanager.ini), registers its secrets and logs where it came from. */
export function queryConfigFrom(args: QueryApiFlags, runtime: CommandRuntime): QueryConfig {
  const config = resolveQueryConfig({
    flags: { apiUrl: args['api-url'], token: args.token, apiKey: args['api-key'], apiSecret: args['api-secret'] },
    env: runtime.env,
    cwd: runtime.cwd,
  });
  if (config.auth.type === 'token') runtime.logger.addSecret(config.auth.token);
  else {
    runtime.logger.addSecret(config.auth.apiSecret);
    runtime.logger.addSecret(config.auth.apiKey);
  }
  runtime.logger.debug('Query API settings', { url: config.url, urlFrom: config.sources.url, authFrom: config.sources.auth, authType: config.auth.type });
  return config;
}
