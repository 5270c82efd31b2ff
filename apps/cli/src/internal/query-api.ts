import { resolveQueryConfig, type QueryConfig } from '../config';
import type { CommandRuntime } from '../runtime';

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
