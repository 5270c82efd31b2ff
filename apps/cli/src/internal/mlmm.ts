import type { MlmmClient } from '@dga/mlmm-client';
import { resolveMlmmConfig, type MlmmConfig } from '../config';
import type { CommandRuntime } from '../runtime';
import { VERSION } from '../version';

/** The Model Manager flags as parsed by citty. */
export interface MlmmFlags {
  'mlmm-url'?: string | undefined;
  token?: string | undefined;
  'auth-type'?: string | undefined;
  'mlmm-domain'?: string | undefined;
  profile?: string | undefined;
  'profile-file'?: string | undefined;
}

/** Resolves Model Manager config (flags > env > modelmanager.ini) and registers its secret. */
export function mlmmConfigFrom(args: MlmmFlags, runtime: CommandRuntime): MlmmConfig {
  const config = resolveMlmmConfig({
    flags: {
      mlmmUrl: args['mlmm-url'],
      token: args.token,
      authType: args['auth-type'],
      mlmmDomain: args['mlmm-domain'],
      profile: args.profile,
      profileFile: args['profile-file'],
    },
    env: runtime.env,
    cwd: runtime.cwd,
  });
  runtime.logger.addSecret(config.token);
  runtime.logger.debug('Model Manager settings', {
    url: config.url,
    urlFrom: config.sources.url,
    tokenFrom: config.sources.token,
    authType: config.authType,
  });
  return config;
}

/** Creates the Model Manager client (loaded lazily). */
export async function createMlmm(config: MlmmConfig, runtime: CommandRuntime): Promise<MlmmClient> {
  const { createMlmmClient } = await import('@dga/mlmm-client');
  return createMlmmClient({
    url: config.url,
    token: config.token,
    authType: config.authType,
    ...(config.legacyDomain === undefined ? {} : { domain: config.legacyDomain }),
    userAgent: `@dga/cli/${VERSION}`,
    signal: runtime.signal,
    onRetry: (event) =>
      runtime.logger.warn(`Model Manager request failed (${event.error.message}); retrying`, {
        attempt: event.attempt,
        delayMs: event.delayMs,
        method: event.method,
      }),
  });
}
