import type { MlmmClient } from '@dga/mlmm-client';
import { resolveMlmmConfig, type MlmmConfig } from '../config';
import { ExitCode, ExitError, UsageError } from '../exit-error';
import type { CommandRuntime } from '../runtime';
import { VERSION } from '../version';
import { redactUrl } from './redact';
import { timeoutExitError, timeoutsFrom, type RequestTimeouts, type TimeoutFlags } from './timeouts';

/** The Model Manager flags as parsed by citty. */
export interface MlmmFlags extends TimeoutFlags {
  'mlmm-url'?: string | undefined;
  token?: string | undefined;
  'auth-type'?: string | undefined;
  'mlmm-domain'?: string | undefined;
  profile?: string | undefined;
  'profile-file'?: string | undefined;
}

/** Model Manager settings plus the request timeouts of `--timeout`/`--total-timeout`. */
export type MlmmSettings = MlmmConfig & { readonly timeouts?: RequestTimeouts };

/** Resolves Model Manager config (flags > env > modelmanager.ini) and registers its secret. */
export function mlmmConfigFrom(args: MlmmFlags, runtime: CommandRuntime): MlmmSettings {
  const timeouts = timeoutsFrom(args);
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
  for (const warning of config.warnings) runtime.logger.warn(warning);
  runtime.logger.debug('Model Manager settings', {
    url: config.url,
    urlFrom: config.sources.url,
    tokenFrom: config.sources.token,
    authType: config.authType,
    timeoutMs: timeouts.timeoutMs,
    totalTimeoutMs: timeouts.totalTimeoutMs,
  });
  return { ...config, timeouts };
}

/**
 * Creates the Model Manager client (loaded lazily). Its timeout errors are reported with the
 * CLI's flags (`--timeout`, `--total-timeout`) instead of the library's option names.
 */
export async function createMlmm(config: MlmmSettings, runtime: CommandRuntime): Promise<MlmmClient> {
  const { createMlmmClient, isMlmmResponseError, isMlmmTimeoutError } = await import('@dga/mlmm-client');
  const client = createMlmmClient({
    url: config.url,
    token: config.token,
    authType: config.authType,
    ...(config.legacyDomain === undefined ? {} : { domain: config.legacyDomain }),
    ...(config.timeouts?.timeoutMs === undefined ? {} : { timeoutMs: config.timeouts.timeoutMs }),
    ...(config.timeouts?.totalTimeoutMs === undefined ? {} : { totalTimeoutMs: config.timeouts.totalTimeoutMs }),
    userAgent: `@dga/cli/${VERSION}`,
    signal: runtime.signal,
    onRetry: (event) =>
      runtime.logger.warn(`Model Manager request failed (${event.error.message}); retrying`, {
        attempt: event.attempt,
        delayMs: event.delayMs,
        method: event.method,
      }),
  });
  const withFlagNames =
    <Arguments extends unknown[], Result>(call: (...args: Arguments) => Promise<Result>) =>
    async (...args: Arguments): Promise<Result> => {
      try {
        return await call(...args);
      } catch (error) {
        if (isMlmmTimeoutError(error)) throw timeoutExitError({ kind: error.kind, timeoutMs: error.timeoutMs, request: `${error.method} ${error.url}` }, error);
        // A name no URL can address ("..", a slash) is refused before any request: the user's to change.
        if ((error as { code?: unknown }).code === 'ERR_MLMM_INVALID_NAME') {
          throw new UsageError((error as Error).message, { cause: error, hint: 'choose another model name' });
        }
        // The library names its own option; no reply of a real Model Manager comes near the cap.
        if (isMlmmResponseError(error) && error.code === 'ERR_MLMM_RESPONSE_TOO_LARGE') {
          throw new ExitError(ExitCode.failure, `${error.method} ${redactUrl(error.url)}: the reply passed the size cap and was cut off`, {
            cause: error,
            hint: 'a Model Manager reply is far smaller: check that --mlmm-url (or DEVO_MLMM_URL) points at the Model Manager',
          });
        }
        throw error;
      }
    };
  return {
    listModels: withFlagNames(client.listModels.bind(client)),
    getModel: withFlagNames(client.getModel.bind(client)),
    findModel: withFlagNames(client.findModel.bind(client)),
    downloadModel: withFlagNames(client.downloadModel.bind(client)),
    addModel: withFlagNames(client.addModel.bind(client)),
  };
}
