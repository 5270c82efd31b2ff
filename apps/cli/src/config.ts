import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './exit-error';
import { IniSyntaxError, parseIni } from './internal/ini';
import { redactUrl } from './internal/redact';

/** The default name of the official profile file of Devo's Model Manager client. */
export const PROFILE_FILE_NAME = 'modelmanager.ini';
/** The profile used when neither `--profile` nor `DGA_PROFILE` names one. */
export const DEFAULT_PROFILE = 'default';

/** Where a setting came from, for `--verbose` logs (never the value of a secret). */
export type ConfigSource = 'flag' | `env ${string}` | `profile ${string}` | 'default';

/** Settings of the Model Manager (register, models). */
export interface MlmmConfig {
  readonly url: string;
  readonly token: string;
  readonly authType: 'standalone' | 'bearer';
  /** Legacy servers (before 2.4.0) only: the domain inserted as `/domains/{domain}`. */
  readonly legacyDomain: string | undefined;
  /** `download_path` of the profile (`~` expanded), the default of `models download --out`. */
  readonly downloadPath: string | undefined;
  readonly sources: Readonly<Record<'url' | 'token' | 'authType', ConfigSource>>;
  /** Warnings to show the user, e.g. a profile file others can read or write. */
  readonly warnings: readonly string[];
}

/** Authentication of the Query API. */
export type QueryAuthConfig =
  | { readonly type: 'token'; readonly token: string }
  | { readonly type: 'apiKey'; readonly apiKey: string; readonly apiSecret: string };

/** Settings of the Query API (query). */
export interface QueryConfig {
  readonly url: string;
  readonly auth: QueryAuthConfig;
  readonly sources: Readonly<Record<'url' | 'auth', ConfigSource>>;
}

/** Flags that bear on Devo settings; each overrides its environment variable. */
export interface DevoConfigFlags {
  mlmmUrl?: string | undefined;
  apiUrl?: string | undefined;
  token?: string | undefined;
  apiKey?: string | undefined;
  apiSecret?: string | undefined;
  authType?: string | undefined;
  mlmmDomain?: string | undefined;
  profile?: string | undefined;
  profileFile?: string | undefined;
}

export interface ResolveConfigOptions {
  flags: DevoConfigFlags;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default process.cwd() */
  cwd?: string;
  /** @default os.homedir() */
  home?: string;
}

/** A profile as read from `modelmanager.ini`. */
export interface Profile {
  readonly file: string;
  readonly name: string;
  readonly url: string;
  readonly token: string;
  readonly authType: 'standalone' | 'bearer';
  readonly downloadPath: string | undefined;
  readonly lines: Readonly<Record<string, number>>;
  /** Problems of the file's permissions ({@link profilePermissionWarnings}), for the logger. */
  readonly warnings: readonly string[];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** True for an absolute http(s) URL with a host and no spaces (the official client's rule). */
export function isValidHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** An example of each Devo URL setting, for the hint of a bad one. */
const urlExamples = {
  mlmm: 'https://api-us.devo.com/mlmodelmanager/',
  query: 'https://apiv2-us.devo.com',
} as const;

function checkUrl(value: string, where: string, api: keyof typeof urlExamples): string {
  if (!isValidHttpUrl(value)) {
    // A value without a scheme may be a token pasted into the wrong setting: never echo it.
    const shown = value.includes('://') ? JSON.stringify(redactUrl(value)) : `the value (${value.length} characters, not shown: it may be a token)`;
    throw new UsageError(`${where}: ${shown} is not an absolute http(s) URL`, {
      hint: `for example ${urlExamples[api]}`,
    });
  }
  return value;
}

/**
 * Warnings about who else may use a profile file (POSIX permissions): writable by the group or
 * others (they could point `url` at their server and collect the token), or readable by them
 * while it holds a token. Each names the file and the fix, `chmod 600`.
 */
export function profilePermissionWarnings(file: string, holdsToken: boolean, platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return [];
  const mode = statSync(file).mode & 0o777;
  const octal = mode.toString(8).padStart(3, '0');
  const warnings: string[] = [];
  if ((mode & 0o022) !== 0) {
    warnings.push(`${file} is writable by other users (mode ${octal}): they could redirect your token to another server; run chmod 600 ${file}`);
  } else if (holdsToken && (mode & 0o044) !== 0) {
    warnings.push(`${file} holds a token and is readable by other users (mode ${octal}); run chmod 600 ${file}`);
  }
  return warnings;
}

function checkAuthType(value: string, where: string): 'standalone' | 'bearer' {
  const lower = value.toLowerCase();
  if (lower === 'standalone' || lower === 'bearer') return lower;
  throw new UsageError(`${where}: auth type ${JSON.stringify(value)} is not supported; use "standalone" or "bearer"`);
}

/**
 * The profile files considered, in order: `--profile-file`/`DGA_PROFILE_FILE` (a file, or a
 * directory holding `modelmanager.ini`), then the working directory, then the home directory.
 */
export function profileSearchPaths(given: string | undefined, cwd: string, home: string): string[] {
  const paths: string[] = [];
  if (given !== undefined) {
    const absolute = resolve(cwd, given);
    const isDirectory = existsSync(absolute) && statSync(absolute).isDirectory();
    paths.push(isDirectory ? join(absolute, PROFILE_FILE_NAME) : absolute);
  }
  paths.push(join(cwd, PROFILE_FILE_NAME), join(home, PROFILE_FILE_NAME));
  return [...new Set(paths)];
}

/**
 * Reads profile `name` from `file` with the official client's rules: `url` (required, a valid
 * URL), `token` (required), `auth_type` (`standalone` default, or `bearer`), `download_path`
 * (optional, `~` expanded). Duplicates, a missing profile or key, a bad URL or auth type are
 * usage errors naming the file and line.
 */
export function readProfile(file: string, name: string, home: string = homedir()): Profile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read profile file ${file}: ${(error as Error).message}`, { cause: error });
  }
  let document;
  try {
    document = parseIni(text);
  } catch (error) {
    if (IniSyntaxError.isInstance(error)) throw new UsageError(`${file}:${error.line}: ${error.message}`, { cause: error });
    throw error;
  }
  const section = document.sections.get(name);
  if (section === undefined) {
    const available = [...document.sections.keys()];
    throw new UsageError(
      `${file}: profile [${name}] not found` +
        (available.length > 0 ? ` (profiles: ${available.join(', ')})` : ' (the file has no profiles)'),
      { hint: 'choose one with --profile NAME or DGA_PROFILE' },
    );
  }
  const get = (key: string) => section.entries.get(key) ?? document.defaults.get(key);
  const url = get('url');
  const token = get('token');
  const missing = [url === undefined || url.value === '' ? 'url' : undefined, token === undefined || token.value === '' ? 'token' : undefined].filter(
    (key): key is string => key !== undefined,
  );
  if (missing.length > 0) {
    throw new UsageError(`${file}:${section.line}: profile [${name}] lacks ${missing.join(' and ')}`, {
      hint: 'add e.g. "url = https://api-us.devo.com/mlmodelmanager/" and "token = <your token>"',
    });
  }
  const authType = get('auth_type');
  const downloadPath = get('download_path');
  const lines: Record<string, number> = { url: url!.line, token: token!.line };
  if (authType !== undefined) lines['auth_type'] = authType.line;
  return {
    file,
    name,
    url: checkUrl(url!.value, `${file}:${url!.line}: url`, 'mlmm'),
    token: token!.value,
    authType: authType === undefined || authType.value === '' ? 'standalone' : checkAuthType(authType.value, `${file}:${authType.line}`),
    downloadPath:
      downloadPath === undefined || downloadPath.value === ''
        ? undefined
        : resolve(dirname(file), downloadPath.value.replace(/^~(?=$|[/\\])/, home)),
    lines,
    warnings: profilePermissionWarnings(file, true),
  };
}

interface ProfileLookup {
  readonly profile: Profile | undefined;
  readonly searched: readonly string[];
  readonly name: string;
}

function lookupProfile(options: ResolveConfigOptions): ProfileLookup {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = options.home ?? homedir();
  const explicitName = nonEmpty(options.flags.profile) ?? nonEmpty(env['DGA_PROFILE']);
  const explicitFile = nonEmpty(options.flags.profileFile) ?? nonEmpty(env['DGA_PROFILE_FILE']);
  const name = explicitName ?? DEFAULT_PROFILE;
  const searched = profileSearchPaths(explicitFile, cwd, home);
  if (explicitFile !== undefined && !existsSync(searched[0]!)) {
    throw new UsageError(`profile file ${searched[0]} does not exist (from ${options.flags.profileFile === undefined ? 'DGA_PROFILE_FILE' : '--profile-file'})`);
  }
  const file = searched.find((candidate) => existsSync(candidate));
  if (file === undefined) {
    if (explicitName !== undefined) {
      throw new UsageError(`profile [${name}] was asked for, but no ${PROFILE_FILE_NAME} exists in: ${searched.join(', ')}`);
    }
    return { profile: undefined, searched, name };
  }
  if (explicitName === undefined) {
    // The implicit profile is optional: a file without [default] is only an error when a
    // setting is still missing (reported by the caller).
    const document = (() => {
      try {
        return parseIni(readFileSync(file, 'utf8'));
      } catch (error) {
        if (IniSyntaxError.isInstance(error)) throw new UsageError(`${file}:${error.line}: ${error.message}`, { cause: error });
        throw error;
      }
    })();
    if (!document.sections.has(name)) return { profile: undefined, searched, name };
  }
  return { profile: readProfile(file, name, home), searched, name };
}

/**
 * Resolves the Model Manager settings: flags, then environment (`DEVO_MLMM_URL`, `DEVO_TOKEN`,
 * `DGA_MLMM_AUTH_TYPE`, `DGA_MLMM_DOMAIN`), then the `modelmanager.ini` profile. When something
 * is missing it throws one usage error listing exactly what to set.
 */
export function resolveMlmmConfig(options: ResolveConfigOptions): MlmmConfig {
  const env = options.env ?? process.env;
  const { flags } = options;
  const flagUrl = nonEmpty(flags.mlmmUrl);
  const flagToken = nonEmpty(flags.token);
  const envUrl = nonEmpty(env['DEVO_MLMM_URL']);
  const envToken = nonEmpty(env['DEVO_TOKEN']);
  const needProfile = (flagUrl ?? envUrl) === undefined || (flagToken ?? envToken) === undefined;
  const lookup = needProfile || nonEmpty(flags.profile) !== undefined || nonEmpty(env['DGA_PROFILE']) !== undefined
    ? lookupProfile(options)
    : { profile: undefined, searched: [], name: DEFAULT_PROFILE };
  const profile = lookup.profile;
  const profileSource = (key: string): ConfigSource =>
    `profile ${profile!.file}:${profile!.lines[key] ?? 0} [${profile!.name}]`;

  const url = flagUrl !== undefined ? { value: checkUrl(flagUrl, '--mlmm-url', 'mlmm'), source: 'flag' as ConfigSource }
    : envUrl !== undefined ? { value: checkUrl(envUrl, 'DEVO_MLMM_URL', 'mlmm'), source: 'env DEVO_MLMM_URL' as ConfigSource }
    : profile !== undefined ? { value: profile.url, source: profileSource('url') } : undefined;
  const token = flagToken !== undefined ? { value: flagToken, source: 'flag' as ConfigSource }
    : envToken !== undefined ? { value: envToken, source: 'env DEVO_TOKEN' as ConfigSource }
    : profile !== undefined ? { value: profile.token, source: profileSource('token') } : undefined;

  if (url === undefined || token === undefined) {
    const missing: string[] = [];
    if (url === undefined) missing.push('the Model Manager URL: --mlmm-url or DEVO_MLMM_URL (e.g. https://api-us.devo.com/mlmodelmanager/)');
    if (token === undefined) missing.push('a token: --token or DEVO_TOKEN');
    const where = lookup.searched.length > 0 ? lookup.searched.join(', ') : 'the working and home directories';
    throw new UsageError(`Devo Model Manager settings are missing. Set ${missing.join('; and ')}`, {
      hint: `or put url and token in a [${lookup.name}] profile of ${PROFILE_FILE_NAME} (looked in: ${where})`,
    });
  }
  const flagAuth = nonEmpty(flags.authType);
  const envAuth = nonEmpty(env['DGA_MLMM_AUTH_TYPE']);
  const authType = flagAuth !== undefined ? { value: checkAuthType(flagAuth, '--auth-type'), source: 'flag' as ConfigSource }
    : envAuth !== undefined ? { value: checkAuthType(envAuth, 'DGA_MLMM_AUTH_TYPE'), source: 'env DGA_MLMM_AUTH_TYPE' as ConfigSource }
    : profile !== undefined ? { value: profile.authType, source: profileSource('auth_type') }
    : { value: 'standalone' as const, source: 'default' as ConfigSource };
  return {
    url: url.value,
    token: token.value,
    authType: authType.value,
    legacyDomain: nonEmpty(flags.mlmmDomain) ?? nonEmpty(env['DGA_MLMM_DOMAIN']),
    downloadPath: profile?.downloadPath,
    sources: { url: url.source, token: token.source, authType: authType.source },
    warnings: profile?.warnings ?? [],
  };
}

/**
 * Resolves the Query API settings: flags, then environment: `DEVO_API_URL`, and either
 * `DEVO_TOKEN` or `DEVO_API_KEY` + `DEVO_API_SECRET`. One usage error lists what is missing.
 */
export function resolveQueryConfig(options: ResolveConfigOptions): QueryConfig {
  const env = options.env ?? process.env;
  const { flags } = options;
  const pick = (flag: string | undefined, name: string): { value: string; source: ConfigSource } | undefined => {
    const fromFlag = nonEmpty(flag);
    if (fromFlag !== undefined) return { value: fromFlag, source: 'flag' };
    const fromEnv = nonEmpty(env[name]);
    return fromEnv === undefined ? undefined : { value: fromEnv, source: `env ${name}` };
  };
  const url = pick(flags.apiUrl, 'DEVO_API_URL');
  const token = pick(flags.token, 'DEVO_TOKEN');
  const apiKey = pick(flags.apiKey, 'DEVO_API_KEY');
  const apiSecret = pick(flags.apiSecret, 'DEVO_API_SECRET');
  const missing: string[] = [];
  if (url === undefined) missing.push('the Query API URL: --api-url or DEVO_API_URL (e.g. https://apiv2-us.devo.com)');
  if (token === undefined) {
    if (apiKey === undefined && apiSecret === undefined) {
      missing.push('credentials: a token (--token or DEVO_TOKEN), or an API key and secret (--api-key and --api-secret, or DEVO_API_KEY and DEVO_API_SECRET)');
    } else if (apiKey === undefined) {
      missing.push('the API key that goes with the secret: --api-key or DEVO_API_KEY');
    } else if (apiSecret === undefined) {
      missing.push('the API secret that goes with the key: --api-secret or DEVO_API_SECRET');
    }
  }
  if (missing.length > 0) {
    throw new UsageError(`Devo Query API settings are missing. Set ${missing.join('; and ')}`);
  }
  const checkedUrl = checkUrl(url!.value, url!.source === 'flag' ? '--api-url' : 'DEVO_API_URL', 'query');
  if (token !== undefined) {
    return { url: checkedUrl, auth: { type: 'token', token: token.value }, sources: { url: url!.source, auth: token.source } };
  }
  return {
    url: checkedUrl,
    auth: { type: 'apiKey', apiKey: apiKey!.value, apiSecret: apiSecret!.value },
    sources: { url: url!.source, auth: apiKey!.source },
  };
}
