#!/usr/bin/env node
// Runs the sandbox from its TypeScript source (a private tool, never built): the workspace
// packages resolve to their src/ through the @dga/source condition, and tsx loads TypeScript.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--conditions=@dga/source', '--import', tsx, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// Ctrl-C reaches the child through the terminal's process group; forward only SIGTERM.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 1);
});
