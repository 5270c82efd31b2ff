import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeQueryServer, type FakeQueryServer } from '@dga/devo-query/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, startCliInProcess } from './run-cli-in-process';

const cwd = mkdtempSync(join(tmpdir(), 'dga-query-'));
const RANGE = ['--from', '1700000000', '--to', '1700003600'];
const COLUMNS = [
  { name: 'n', type: 'int4' },
  { name: 's', type: 'str' },
];

/** `dga query` against `url` with a token and an explicit LINQ. */
function queryArgs(url: string, ...extra: string[]): string[] {
  return ['query', '--api-url', url, '--token', 'query-token', '--query', 'from t', ...RANGE, ...extra];
}

describe('dga query output', () => {
  let server: FakeQueryServer;

  beforeAll(async () => {
    server = await startFakeQueryServer({
      tables: { t: { columns: COLUMNS, rows: [[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'e']] } },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const right = (text: string) => text.padStart(20);
  const expected: Record<string, string> = {
    json: '{"n":1,"s":"a"}\n{"n":2,"s":"b"}\n{"n":3,"s":"c"}\n',
    csv: 'n,s\n1,a\n2,b\n3,c\n',
    table: `${right('n')}  s\n${right('1')}  a\n${right('2')}  b\n${right('3')}  c\n`,
  };

  for (const format of ['table', 'json', 'csv']) {
    it(`prints the rows that came before an in-stream error, then the error, exit 1 (--format ${format})`, async () => {
      server.script({ errorAfterRows: 3, errorMessage: 'Error Processing Query: disk on fire' });
      const run = await runCliInProcess(queryArgs(server.url, '--format', format), cwd);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe(expected[format]);
      expect(run.stderr).toMatch(/^error: .*after 3 rows: Error Processing Query: disk on fire/m);
      // stdout is complete before the error is reported.
      const lastRow = run.writes.findLastIndex((write) => write.stream === 'stdout');
      const error = run.writes.findIndex((write) => write.stream === 'stderr' && write.text.includes('disk on fire'));
      expect(lastRow).toBeLessThan(error);
    }, 30_000);
  }

  it('prints every row when the query succeeds, in each format', async () => {
    const run = await runCliInProcess(queryArgs(server.url, '--format', 'csv'), cwd);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('n,s\n1,a\n2,b\n3,c\n4,d\n5,e\n');
  }, 30_000);
});

describe('dga query on a slow server', () => {
  let release: () => void = () => {};
  let server: FakeQueryServer;

  beforeAll(async () => {
    server = await startFakeQueryServer({
      engine: () =>
        Promise.resolve({
          columns: COLUMNS,
          rows: (async function* () {
            yield [1, 'a'];
            await new Promise<void>((resolve) => (release = resolve));
            yield [2, 'b'];
          })(),
        }),
    });
  });
  afterAll(async () => {
    release();
    await server.close();
  });

  it('shows a row while the server is still waiting to send the next one', async () => {
    const run = startCliInProcess(queryArgs(server.url, '--json'), cwd);
    // Resolves only if the row reaches stdout while the stream is still open (the server holds
    // the second row back until `release`): without a timed flush this never happens.
    await run.stdoutIncludes('{"n":1,"s":"a"}\n');
    release();
    const result = await run.result;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{"n":1,"s":"a"}\n{"n":2,"s":"b"}\n');
  }, 30_000);
});

describe('dga query timeouts', () => {
  let server: FakeQueryServer;

  beforeAll(async () => {
    // One row, then keep-alives every 20 ms until the client leaves: data never stops arriving.
    server = await startFakeQueryServer({
      keepAliveIntervalMs: 20,
      engine: (request) =>
        Promise.resolve({
          columns: COLUMNS,
          rows: (async function* () {
            yield [1, 'a'];
            await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
          })(),
        }),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('ends a query that only trickles keep-alives at --total-timeout, naming the flag', async () => {
    const run = await runCliInProcess(queryArgs(server.url, '--json', '--timeout', '10s', '--total-timeout', '300ms'), cwd);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('{"n":1,"s":"a"}\n');
    expect(run.stderr).toMatch(/^error: the query \(POST \/search\/query\) did not finish within --total-timeout 300ms \(raise --total-timeout/m);
    expect(run.stderr).not.toContain('totalTimeoutMs');
  }, 30_000);

  it('gives up on a silent server after --timeout, naming the flag', async () => {
    server.script({ delayMs: 10_000 });
    const run = await runCliInProcess(queryArgs(server.url, '--timeout', '1500ms'), cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: the query \(POST \/search\/query\): no data from the server for --timeout 1.5s \(raise --timeout/m);
    expect(run.stderr).not.toContain('timeoutMs');
  }, 30_000);

  it('refuses a timeout that is not a duration (usage error)', async () => {
    const run = await runCliInProcess(queryArgs(server.url, '--timeout', 'soon'), cwd);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --timeout "soon": expected a positive duration/m);
  });
});
