/**
 * Rows/s and peak memory of streaming 1M rows from the fake Query API through the client, for
 * json/simple/compact and csv. The fake server runs in its own process (so the measured process
 * holds only the client), and each case runs in a fresh process (peak RSS is process-wide).
 *
 *   pnpm --filter @dga/devo-query bench            # all cases, writes bench/results.json
 *   ROWS=100000 pnpm --filter @dga/devo-query bench
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { measure, writeBenchResults, type BenchResult } from '@dga/bench';
import { createQueryClient, type QueryFormat } from '../src/index';
import { startFakeQueryServer } from '../src/testing';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const FILE = fileURLToPath(import.meta.url);
const CASES: QueryFormat[] = ['json/simple/compact', 'csv'];

async function serve(): Promise<void> {
  const server = await startFakeQueryServer({
    engine: async () => ({
      columns: [
        { name: 'eventdate', type: 'timestamp' },
        { name: 'domain', type: 'str' },
        { name: 'clientIpAddress', type: 'ip4' },
        { name: 'count', type: 'int8' },
      ],
      // Lazy: rows are generated as the response drains, so the server's memory stays flat too.
      rows: (function* () {
        for (let index = 0; index < ROWS; index++) {
          yield [1_700_000_000_000 + index * 1000, `host-${index.toString(36)}.exämple.com`, index * 2654435761 >>> 0, index % 1000];
        }
      })(),
    }),
    writeBufferBytes: 65_536,
  });
  process.stdout.write(`${server.url}\n`);
}

async function runCase(format: QueryFormat): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, FILE, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const url = await new Promise<string>((resolve) => {
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  try {
    const client = createQueryClient({ url, auth: { type: 'token', token: 'bench' } });
    const heapSamples: number[] = [];
    const result = await measure({ name: `query ${format} (${ROWS.toLocaleString('en-US')} rows)`, unit: 'rows' }, async () => {
      let count = 0;
      for await (const row of client.query({ query: 'bench', from: 0, to: 2_000_000_000_000, format })) {
        if (row.domain === undefined) throw new Error('bad row');
        count++;
        if (count % 100_000 === 0) heapSamples.push(process.memoryUsage().heapUsed);
      }
      if (count !== ROWS) throw new Error(`expected ${ROWS} rows, got ${count}`);
      const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
      return {
        items: count,
        extra: {
          heapMiBAt10Percent: mib(heapSamples[0] ?? 0),
          heapMiBMaxSampled: mib(Math.max(...heapSamples)),
          heapMiBAtEnd: mib(heapSamples[heapSamples.length - 1] ?? 0),
        },
      };
    });
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const index = process.argv.indexOf('--case');
  if (process.argv.includes('--serve')) return serve();
  if (index >= 0) return runCase(process.argv[index + 1] as QueryFormat);
  const results: BenchResult[] = [];
  for (const format of CASES) {
    const run = spawnSync(process.execPath, [...process.execArgv, FILE, '--case', format], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    const line = run.stdout.split('\n').find((text) => text.startsWith('RESULT '));
    process.stdout.write(run.stdout.split('\n').filter((text) => !text.startsWith('RESULT ')).join('\n'));
    if (run.status !== 0 || line === undefined) throw new Error(`bench case ${format} failed (exit ${run.status})`);
    results.push(JSON.parse(line.slice('RESULT '.length)) as BenchResult);
  }
  writeBenchResults(fileURLToPath(new URL('results.json', import.meta.url)), '@dga/devo-query', results);
}

await main();
