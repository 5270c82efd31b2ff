import { describe, expect, it } from 'vitest';
import { invocationDirectory } from './invocation-directory';

describe('invocationDirectory', () => {
  it('is INIT_CWD when this process is the package script pnpm started', () => {
    const env = { INIT_CWD: '/home/user/data', npm_package_json: '/repo/package.json' };
    expect(invocationDirectory(env, '/repo')).toBe('/home/user/data');
  });

  it('keeps the working directory of a process started elsewhere that inherited INIT_CWD', () => {
    const env = { INIT_CWD: '/home/user/data', npm_package_json: '/repo/package.json' };
    expect(invocationDirectory(env, '/tmp/test-run')).toBe('/tmp/test-run');
  });

  it('keeps the working directory outside pnpm, or with a relative INIT_CWD', () => {
    expect(invocationDirectory({}, '/repo')).toBe('/repo');
    expect(invocationDirectory({ INIT_CWD: '/elsewhere' }, '/repo')).toBe('/repo');
    expect(invocationDirectory({ INIT_CWD: 'data', npm_package_json: '/repo/package.json' }, '/repo')).toBe('/repo');
  });
});
