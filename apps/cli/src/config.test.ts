import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveMlmmConfig, resolveQueryConfig } from './config';
import { ExitError } from './exit-error';

let cwd: string;
let home: string;

beforeEach(() => {
  const root = mkdtempSync(join(tmpdir(), 'dga-config-'));
  cwd = join(root, 'work');
  home = join(root, 'home');
  mkdirSync(cwd);
  mkdirSync(home);
});

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(ExitError.isInstance(error)).toBe(true);
    expect((error as ExitError).exitCode).toBe(2);
    return `${(error as Error).message}\n${(error as ExitError).hint ?? ''}`;
  }
  throw new Error('expected a usage error');
}

describe('resolveMlmmConfig', () => {
  it('takes flags over environment over the profile file, field by field', () => {
    writeFileSync(join(cwd, 'modelmanager.ini'), '[default]\nurl = https://file.example/mlmodelmanager/\ntoken = file-token\nauth_type = bearer\n');
    const env = { DEVO_MLMM_URL: 'https://env.example/mlmodelmanager/' };
    const fromEnv = resolveMlmmConfig({ flags: {}, env, cwd, home });
    expect(fromEnv.url).toBe('https://env.example/mlmodelmanager/');
    expect(fromEnv.token).toBe('file-token');
    expect(fromEnv.authType).toBe('bearer');
    expect(fromEnv.sources.url).toBe('env DEVO_MLMM_URL');
    expect(fromEnv.sources.token).toMatch(/^profile .*modelmanager.ini:3 \[default\]$/);
    const fromFlags = resolveMlmmConfig({ flags: { mlmmUrl: 'https://flag.example/', token: 'flag-token', authType: 'standalone' }, env, cwd, home });
    expect([fromFlags.url, fromFlags.token, fromFlags.authType]).toEqual(['https://flag.example/', 'flag-token', 'standalone']);
  });

  it('searches the given path, then the working directory, then home', () => {
    writeFileSync(join(home, 'modelmanager.ini'), '[default]\nurl = https://home.example/\ntoken = h\n');
    expect(resolveMlmmConfig({ flags: {}, env: {}, cwd, home }).url).toBe('https://home.example/');
    writeFileSync(join(cwd, 'modelmanager.ini'), '[default]\nurl = https://cwd.example/\ntoken = c\n');
    expect(resolveMlmmConfig({ flags: {}, env: {}, cwd, home }).url).toBe('https://cwd.example/');
    const other = join(cwd, 'conf');
    mkdirSync(other);
    writeFileSync(join(other, 'modelmanager.ini'), '[prod]\nurl = https://given.example/\ntoken = g\ndownload_path = ~/models\n');
    const given = resolveMlmmConfig({ flags: { profileFile: 'conf', profile: 'prod' }, env: {}, cwd, home });
    expect(given.url).toBe('https://given.example/');
    expect(given.downloadPath).toBe(join(home, 'models'));
  });

  it('lists exactly what to set when nothing is configured', () => {
    const message = usageMessage(() => resolveMlmmConfig({ flags: {}, env: {}, cwd, home }));
    expect(message).toContain('--mlmm-url or DEVO_MLMM_URL');
    expect(message).toContain('--token or DEVO_TOKEN');
    expect(message).toContain(join(cwd, 'modelmanager.ini'));
    expect(message).toContain(join(home, 'modelmanager.ini'));
    const onlyToken = usageMessage(() => resolveMlmmConfig({ flags: {}, env: { DEVO_MLMM_URL: 'https://x.example/' }, cwd, home }));
    expect(onlyToken).not.toContain('DEVO_MLMM_URL');
    expect(onlyToken).toContain('--token or DEVO_TOKEN');
  });

  it.each([
    ['[default]\nurl = https://a/\ntoken = t\n[default]\nurl = https://b/\ntoken = u\n', /:4: section \[default\] appears twice/],
    ['[default]\nurl = https://a/\ntoken = t\ntoken = u\n', /:4: key "token" appears twice/],
    ['[default]\ntoken = t\n', /:1: profile \[default\] lacks url/],
    ['[default]\nurl = not a url\ntoken = t\n', /:2: url: the value \(9 characters, not shown: it may be a token\) is not an absolute http\(s\) URL/],
    ['[default]\nurl = https://a/\ntoken = t\nauth_type = basic\n', /:4: auth type "basic" is not supported/],
  ])('reports profile errors with file and line: %#', (text, pattern) => {
    writeFileSync(join(cwd, 'modelmanager.ini'), text);
    expect(usageMessage(() => resolveMlmmConfig({ flags: {}, env: {}, cwd, home }))).toMatch(pattern);
  });

  it('reports a missing named profile with the profiles available', () => {
    writeFileSync(join(cwd, 'modelmanager.ini'), '[a]\nurl = https://a/\ntoken = t\n[b]\nurl = https://b/\ntoken = u\n');
    expect(usageMessage(() => resolveMlmmConfig({ flags: { profile: 'prod' }, env: {}, cwd, home }))).toMatch(/profile \[prod\] not found \(profiles: a, b\)/);
    expect(usageMessage(() => resolveMlmmConfig({ flags: {}, env: { DGA_PROFILE: 'nope' }, cwd, home }))).toMatch(/\[nope\] not found/);
  });

  it('rejects a bad URL or auth type from flags and env, naming where it came from', () => {
    expect(usageMessage(() => resolveMlmmConfig({ flags: { mlmmUrl: 'ftp://x', token: 't' }, env: {}, cwd, home }))).toMatch(/^--mlmm-url: "ftp:\/\/x"/);
    expect(usageMessage(() => resolveMlmmConfig({ flags: { token: 't' }, env: { DEVO_MLMM_URL: 'x y' }, cwd, home }))).toMatch(/^DEVO_MLMM_URL/);
    expect(usageMessage(() => resolveMlmmConfig({ flags: { token: 't', mlmmUrl: 'https://a/', authType: 'oauth' }, env: {}, cwd, home }))).toMatch(/--auth-type/);
  });

  it('never echoes a token in its errors', () => {
    writeFileSync(join(cwd, 'modelmanager.ini'), '[default]\nurl = bad url\ntoken = s3cr3t-token-value\n');
    const message = usageMessage(() => resolveMlmmConfig({ flags: {}, env: {}, cwd, home }));
    expect(message).not.toContain('s3cr3t-token-value');
  });

  it('never echoes a token pasted into a URL setting (ini or DEVO_MLMM_URL)', () => {
    writeFileSync(join(cwd, 'modelmanager.ini'), '[default]\nurl = 8f14e45fceea167a5a36dedd4bea2543\ntoken = t0ken\n');
    const fromFile = usageMessage(() => resolveMlmmConfig({ flags: {}, env: {}, cwd, home }));
    expect(fromFile).toMatch(/modelmanager\.ini:2: url: the value \(32 characters, not shown: it may be a token\) is not an absolute http\(s\) URL/);
    expect(fromFile).not.toContain('8f14e45f');
    const fromEnv = usageMessage(() =>
      resolveMlmmConfig({ flags: { token: 't' }, env: { DEVO_MLMM_URL: 'https://user:pa55word@devo.example/mlmm ?token=8f14e45fceea' }, cwd, home }),
    );
    expect(fromEnv).toMatch(/^DEVO_MLMM_URL: "https:\/\/devo\.example\/mlmm \?token=\*\*\*" is not/);
    expect(fromEnv).not.toMatch(/pa55word|8f14e45f/);
  });

  it.runIf(process.platform !== 'win32')('warns when the profile file is writable by others, or readable while it holds a token', () => {
    const file = join(cwd, 'modelmanager.ini');
    writeFileSync(file, '[default]\nurl = https://a.example/\ntoken = t0ken\n');
    const warningsAt = (mode: number) => {
      chmodSync(file, mode);
      return resolveMlmmConfig({ flags: {}, env: {}, cwd, home }).warnings;
    };
    expect(warningsAt(0o600)).toEqual([]);
    expect(warningsAt(0o644)).toEqual([`${file} holds a token and is readable by other users (mode 644); run chmod 600 ${file}`]);
    expect(warningsAt(0o666)).toEqual([`${file} is writable by other users (mode 666): they could redirect your token to another server; run chmod 600 ${file}`]);
    expect(warningsAt(0o620)[0]).toMatch(/writable by other users \(mode 620\)/);
  });
});

describe('resolveQueryConfig', () => {
  it('gives a Query API URL, not a Model Manager one, as the example of a bad --api-url or DEVO_API_URL', () => {
    const flag = usageMessage(() => resolveQueryConfig({ flags: { apiUrl: 'ftp://x' }, env: { DEVO_TOKEN: 'tok' }, cwd, home }));
    expect(flag).toBe('--api-url: "ftp://x" is not an absolute http(s) URL\nfor example https://apiv2-us.devo.com');
    const env = usageMessage(() => resolveQueryConfig({ flags: {}, env: { DEVO_API_URL: 'apiv2', DEVO_TOKEN: 'tok' }, cwd, home }));
    expect(env).toMatch(/^DEVO_API_URL: .*\nfor example https:\/\/apiv2-us\.devo\.com$/);
    const mlmm = usageMessage(() => resolveMlmmConfig({ flags: { mlmmUrl: 'ftp://x', token: 't' }, env: {}, cwd, home }));
    expect(mlmm).toMatch(/\nfor example https:\/\/api-us\.devo\.com\/mlmodelmanager\/$/);
  });

  it('uses a token when one is set, else the API key and secret', () => {
    const token = resolveQueryConfig({ flags: {}, env: { DEVO_API_URL: 'https://apiv2-us.devo.com', DEVO_TOKEN: 'tok', DEVO_API_KEY: 'k', DEVO_API_SECRET: 's' }, cwd, home });
    expect(token.auth).toEqual({ type: 'token', token: 'tok' });
    const key = resolveQueryConfig({ flags: { apiKey: 'fk' }, env: { DEVO_API_URL: 'https://apiv2-us.devo.com', DEVO_API_KEY: 'k', DEVO_API_SECRET: 's' }, cwd, home });
    expect(key.auth).toEqual({ type: 'apiKey', apiKey: 'fk', apiSecret: 's' });
    expect(key.sources.auth).toBe('flag');
  });

  it('lists exactly what is missing', () => {
    const all = usageMessage(() => resolveQueryConfig({ flags: {}, env: {}, cwd, home }));
    expect(all).toContain('--api-url or DEVO_API_URL');
    expect(all).toContain('DEVO_API_KEY and DEVO_API_SECRET');
    const secret = usageMessage(() => resolveQueryConfig({ flags: {}, env: { DEVO_API_URL: 'https://a', DEVO_API_KEY: 'k' }, cwd, home }));
    expect(secret).toBe('Devo Query API settings are missing. Set the API secret that goes with the key: --api-secret or DEVO_API_SECRET\n');
  });
});
