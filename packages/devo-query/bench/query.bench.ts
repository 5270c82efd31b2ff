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
import { ResponseParser } from '../src/internal/response-parser';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const FILE = fileURLToPath(import.meta.url);
const CASES: QueryFormat[] = ['json/simple/compact', 'csv'];

async function serve(): Promise<void> {
  const server = await startFakeQueryServer({
    engine: () =>
      Promise.resolve({
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

/** The client's parser alone, on chunks generated lazily in memory: its ceiling, without HTTP or the fake. */
async function runParser(format: 'json/simple/compact' | 'csv'): Promise<void> {
  const encoder = new TextEncoder();
  const result = await measure({ name: `parse ${format} in memory (${ROWS.toLocaleString('en-US')} rows)`, unit: 'rows' }, () => {
    const parser = new ResponseParser(format, { rowShape: 'object', timestamps: 'epoch-ms', onColumns: () => {} });
    parser.write(
      encoder.encode(
        format === 'csv'
          ? 'eventdate,domain,clientIpAddress,count\n'
          : '{"m":{"eventdate":{"type":"timestamp","index":0},"domain":{"type":"str","index":1},"clientIpAddress":{"type":"ip4","index":2},"count":{"type":"int8","index":3}},"metadata":[{"name":"eventdate","type":"timestamp"},{"name":"domain","type":"str"},{"name":"clientIpAddress","type":"ip4"},{"name":"count","type":"int8"}]}\r\n',
      ),
    );
    let count = 0;
    let text = '';
    for (let index = 0; index < ROWS; index++) {
      const domain = `host-${index.toString(36)}.exämple.com`;
      text +=
        format === 'csv'
          ? `2023-11-14 22:13:20.000,${domain},${index * 2654435761 >>> 0},${index % 1000}\n`
          : `{"d":[${1_700_000_000_000 + index * 1000},"${domain}",${index * 2654435761 >>> 0},${index % 1000}]}\r\n`;
      if (text.length > 65_536 || index === ROWS - 1) {
        parser.write(encoder.encode(text));
        text = '';
        count += parser.takeRows().length;
        if (parser.error !== undefined) throw parser.error;
      }
    }
    parser.end();
    count += parser.takeRows().length;
    if (count !== ROWS) throw new Error(`expected ${ROWS} rows, got ${count}`);
    return Promise.resolve(count);
  });
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  const index = process.argv.indexOf('--case');
  if (process.argv.includes('--serve')) return serve();
  if (index >= 0) return runCase(process.argv[index + 1] as QueryFormat);
  const parserIndex = process.argv.indexOf('--parser');
  if (parserIndex >= 0) return runParser(process.argv[parserIndex + 1] as 'json/simple/compact' | 'csv');
  const results: BenchResult[] = [];
  const runs = [...CASES.map((format) => ['--case', format]), ['--parser', 'json/simple/compact'], ['--parser', 'csv']];
  for (const [flag, format] of runs) {
    const run = spawnSync(process.execPath, [...process.execArgv, FILE, flag!, format!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    const line = run.stdout.split('\n').find((text) => text.startsWith('RESULT '));
    process.stdout.write(run.stdout.split('\n').filter((text) => !text.startsWith('RESULT ')).join('\n'));
    if (run.status !== 0 || line === undefined) throw new Error(`bench ${flag} ${format} failed (exit ${String(run.status)})`);
    results.push(JSON.parse(line.slice('RESULT '.length)) as BenchResult);
  }
  writeBenchResults(fileURLToPath(new URL('results.json', import.meta.url)), '@dga/devo-query', results);
}

await main();
