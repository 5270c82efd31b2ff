import { dirname, isAbsolute, resolve } from 'node:path';

/**
 * The directory the user typed the command in, against which every relative path (`--file`,
 * `--out`, `--dataset`, `modelmanager.ini`, …) resolves. pnpm and npm run a package script in
 * the package's folder and put the user's directory in `INIT_CWD`; it is honoured only when this
 * process is that script, i.e. its working directory is the folder of `npm_package_json`. A
 * process started later with another working directory (a test, a tool run by a script)
 * inherits `INIT_CWD` but keeps its own directory.
 *
 * @example
 * // `cd data && pnpm dga classify --file hosts.txt` reads data/hosts.txt
 * const cwd = invocationDirectory(process.env, process.cwd());
 */
export function invocationDirectory(env: NodeJS.ProcessEnv, cwd: string): string {
  const initial = env['INIT_CWD'];
  const manifest = env['npm_package_json'];
  if (initial === undefined || !isAbsolute(initial) || manifest === undefined || manifest === '') return cwd;
  return resolve(dirname(manifest)) === resolve(cwd) ? resolve(initial) : cwd;
}
