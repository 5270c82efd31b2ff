import { resolveQueryConfig, type QueryConfig } from '../config';
import { UsageError } from '../exit-error';
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

/**
 * Runs `start` (a `client.query(…)` call); a `--from` or `--to` the client refuses before any
 * request (ISO-8601 text, an impossible calendar date, from after to) becomes a usage error that
 * names the accepted forms.
 */
export function startQuery<Stream>(start: () => Stream): Stream {
  try {
    return start();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_QUERY_INVALID_DATE' && code !== 'ERR_QUERY_INVALID_OPTION') throw error;
    throw new UsageError((error as Error).message, {
      cause: error,
      hint: "--from and --to take now()-1*hour(), '2024-01-01 12:00:00' (UTC), epoch seconds, or Devo's date language (now() - 1h); --from before --to",
    });
  }
}
