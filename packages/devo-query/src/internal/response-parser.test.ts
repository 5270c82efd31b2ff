import { describe, expect, it } from 'vitest';
import { ResponseParser, type QueryColumn, type QueryFormat, type ResponseParserOptions } from './response-parser';

interface Outcome {
  rows: unknown[];
  columns: QueryColumn[] | undefined;
  progress: number[];
  error: { code: string; message: string; rowsBefore?: number | undefined; serverCode?: unknown } | undefined;
}

function parse(format: QueryFormat, chunks: readonly (string | Uint8Array)[], options: Partial<ResponseParserOptions> = {}): Outcome {
  const outcome: Outcome = { rows: [], columns: undefined, progress: [], error: undefined };
  const parser = new ResponseParser(format, {
    rowShape: 'object',
    timestamps: 'epoch-ms',
    onColumns: (columns) => {
      outcome.columns = columns;
    },
    onProgress: (event) => outcome.progress.push(event.timestamp),
    ...options,
  });
  for (const chunk of chunks) {
    parser.write(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    outcome.rows.push(...parser.takeRows());
    if (parser.error !== undefined) break;
  }
  if (parser.error === undefined) parser.end();
  outcome.rows.push(...parser.takeRows());
  if (parser.error !== undefined) {
    const error = parser.error as unknown as Outcome['error'] & object;
    outcome.error = { code: error.code, message: error.message, rowsBefore: error.rowsBefore, serverCode: error.serverCode };
  }
  return outcome;
}

/** Every split of the UTF-8 bytes into two chunks, plus one byte per chunk. */
function splits(text: string): Uint8Array[][] {
  const bytes = new TextEncoder().encode(text);
  const result: Uint8Array[][] = [[...bytes].map((byte) => Uint8Array.of(byte))];
  for (let cut = 0; cut <= bytes.length; cut++) result.push([bytes.slice(0, cut), bytes.slice(cut)]);
  return result;
}

/** Inserts `keepAlive` at the start of line `position` (0 = before the first line, lines.length = at the end). */
function withKeepAlive(lines: readonly string[], position: number, keepAlive: string, ending: string): string {
  const parts = lines.map((line) => line + ending);
  parts.splice(position, 0, keepAlive);
  return parts.join('');
}

// Expected rows, written by hand from the docs/reference/devo-query-api.md §5 examples plus multi-byte text.
const ROWS = [
  { eventdate: 1659605340000, domain: 'exämple.com', count: 10 },
  { eventdate: 1659605400000, domain: '日本.jp 🎉', count: 40 },
];
const COMPACT_LINES = [
  '{"m":{"eventdate":{"type":"timestamp","index":0},"domain":{"type":"str","index":1},"count":{"type":"int8","index":2}},"metadata":[{"name":"eventdate","type":"timestamp"},{"name":"domain","type":"str"},{"name":"count","type":"int8"}]}',
  '{"d":[1659605340000,"exämple.com",10]}',
  '{"d":[1659605400000,"日本.jp 🎉",40]}',
];
const SIMPLE_LINES = [
  '{"eventdate":1659605340000,"domain":"exämple.com","count":10}',
  '{"eventdate":1659605400000,"domain":"日本.jp 🎉","count":40}',
];
const CSV_LINES = ['eventdate,domain,count', '2022-08-04 09:29:00.000,exämple.com,10', '2022-08-04 09:30:00.000,日本.jp 🎉,40'];
const CSV_ROWS = [
  { eventdate: '2022-08-04 09:29:00.000', domain: 'exämple.com', count: '10' },
  { eventdate: '2022-08-04 09:30:00.000', domain: '日本.jp 🎉', count: '40' },
];

describe('ResponseParser json/simple/compact', () => {
  it('maps rows by metadata with CRLF and with LF', () => {
    for (const ending of ['\r\n', '\n']) {
      const outcome = parse('json/simple/compact', [COMPACT_LINES.join(ending) + ending]);
      expect(outcome.error).toBeUndefined();
      expect(outcome.rows).toEqual(ROWS);
      expect(outcome.columns).toEqual([
        { name: 'eventdate', type: 'timestamp', index: 0 },
        { name: 'domain', type: 'str', index: 1 },
        { name: 'count', type: 'int8', index: 2 },
      ]);
    }
  });

  it('parses the docs/reference/devo-query-api.md §5 sample verbatim (spaces around lines, no final newline)', () => {
    const body =
      '{"m":{"eventdate":{"type":"timestamp","index":0},"count":{"type":"int8","index":1}},"metadata":[{"name":"eventdate","type":"timestamp"},{"name":"count","type":"int8"}]}\r\n' +
      '    {"d":[1659605340000,10]}\r\n {"d":[1659605400000,40]} ';
    expect(parse('json/simple/compact', [body]).rows).toEqual([
      { eventdate: 1659605340000, count: 10 },
      { eventdate: 1659605400000, count: 40 },
    ]);
  });

  it('survives keep-alive spaces at every line position and every chunk split', () => {
    for (let position = 0; position <= COMPACT_LINES.length; position++) {
      const body = withKeepAlive(COMPACT_LINES, position, '    ', '\r\n');
      for (const chunks of splits(body)) {
        const outcome = parse('json/simple/compact', chunks);
        expect(outcome.error).toBeUndefined();
        expect(outcome.rows).toEqual(ROWS);
      }
    }
  });

  it('maps m-only metadata by index, never by object key order (docs/reference/devo-query-api.md §12)', () => {
    const body =
      '{"m":{"count":{"type":"int8","index":2},"eventdate":{"type":"timestamp","index":0},"domain":{"type":"str","index":1}}}\r\n' +
      '{"d":[1659605340000,"exämple.com",10]}\r\n';
    const outcome = parse('json/simple/compact', [body]);
    expect(outcome.rows).toEqual([ROWS[0]]);
    expect(outcome.columns?.map((column) => column.name)).toEqual(['eventdate', 'domain', 'count']);
  });

  it('returns arrays in column order with rowShape array, and Dates with timestamps date', () => {
    const body = COMPACT_LINES.join('\r\n') + '\r\n';
    expect(parse('json/simple/compact', [body], { rowShape: 'array' }).rows).toEqual([
      [1659605340000, 'exämple.com', 10],
      [1659605400000, '日本.jp 🎉', 40],
    ]);
    const dated = parse('json/simple/compact', [body], { timestamps: 'date' }).rows as { eventdate: Date }[];
    expect(dated[0]!.eventdate).toBeInstanceOf(Date);
    expect(dated[0]!.eventdate.toISOString()).toBe('2022-08-04T09:29:00.000Z');
  });

  it('turns p lines into progress events', () => {
    const body = [COMPACT_LINES[0], '{"p":[1612958045000]}', COMPACT_LINES[1], '{"p":[1612958046000]}', COMPACT_LINES[2]].join('\r\n') + '\r\n';
    const outcome = parse('json/simple/compact', [body]);
    expect(outcome.rows).toEqual(ROWS);
    expect(outcome.progress).toEqual([1612958045000, 1612958046000]);
  });

  it('gives columns and no rows for an empty result (metadata line only)', () => {
    const outcome = parse('json/simple/compact', [COMPACT_LINES[0] + '\r\n']);
    expect(outcome.error).toBeUndefined();
    expect(outcome.rows).toEqual([]);
    expect(outcome.columns).toHaveLength(3);
  });

  it('delivers the rows before an e marker, then a data error (array and object shapes)', () => {
    for (const marker of ['{"e":[500,"Error Processing Query: boom"]}', '{"e":{"msg":"Error Processing Query: boom"}}']) {
      const body = [COMPACT_LINES[0], COMPACT_LINES[1], marker, COMPACT_LINES[2]].join('\r\n') + '\r\n';
      const outcome = parse('json/simple/compact', [body]);
      expect(outcome.rows).toEqual([ROWS[0]]);
      expect(outcome.error?.code).toBe('ERR_QUERY_DATA');
      expect(outcome.error?.message).toContain('Error Processing Query: boom');
      expect(outcome.error?.rowsBefore).toBe(1);
    }
  });

  it('reports a docs/reference/devo-query-api.md §7.1-style error object sent as a line of a 200 response as a data error', () => {
    const outcome = parse('json/simple/compact', [COMPACT_LINES[0] + '\r\n{"timestamp":1,"cid":"c","error":"server_error","status":500}\r\n']);
    expect(outcome.error).toMatchObject({ code: 'ERR_QUERY_DATA', serverCode: 500 });
    expect(outcome.error?.message).toContain('server_error');
  });

  it('reports a stream cut mid-line as truncated', () => {
    const body = COMPACT_LINES[0] + '\r\n' + COMPACT_LINES[1] + '\r\n{"d":[16596054';
    const outcome = parse('json/simple/compact', [body]);
    expect(outcome.rows).toEqual([ROWS[0]]);
    expect(outcome.error?.code).toBe('ERR_QUERY_TRUNCATED');
  });

  it('reports an empty body (no metadata line) as truncated', () => {
    expect(parse('json/simple/compact', []).error?.code).toBe('ERR_QUERY_TRUNCATED');
    expect(parse('json/simple/compact', ['    ', '  \r\n']).error?.code).toBe('ERR_QUERY_TRUNCATED');
  });

  it('reports malformed and unexpected lines', () => {
    expect(parse('json/simple/compact', [COMPACT_LINES[0] + '\r\nnot json\r\n']).error?.code).toBe('ERR_QUERY_MALFORMED');
    expect(parse('json/simple/compact', [COMPACT_LINES[0] + '\r\n{"x":1}\r\n']).error?.code).toBe('ERR_QUERY_MALFORMED');
    expect(parse('json/simple/compact', ['{"d":[1,2,3]}\r\n']).error?.message).toContain('before the metadata line');
    expect(parse('json/simple/compact', [COMPACT_LINES[0] + '\r\n{"d":[1,2]}\r\n']).error?.message).toContain('2 values for 3 columns');
  });

  it('drops idle keep-alive runs without a newline instead of growing a buffer', () => {
    const parser = new ResponseParser('json/simple/compact', { rowShape: 'object', timestamps: 'epoch-ms', onColumns: () => {} });
    parser.write(COMPACT_LINES[0] + '\r\n');
    for (let index = 0; index < 10_000; index++) parser.write('    ');
    expect((parser as unknown as { partial: string }).partial).toBe('');
    parser.write(COMPACT_LINES[1] + '\r\n');
    expect(parser.takeRows()).toEqual([ROWS[0]]);
  });
});

describe('ResponseParser json/simple', () => {
  it('parses rows with keep-alives at every position, CRLF and LF, every split', () => {
    for (const ending of ['\r\n', '\n']) {
      for (let position = 0; position <= SIMPLE_LINES.length; position++) {
        for (const chunks of splits(withKeepAlive(SIMPLE_LINES, position, '    ', ending))) {
          const outcome = parse('json/simple', chunks);
          expect(outcome.error).toBeUndefined();
          expect(outcome.rows).toEqual(ROWS);
        }
      }
    }
  });

  it('gives arrays in first-row key order with rowShape array', () => {
    expect(parse('json/simple', [SIMPLE_LINES.join('\r\n')], { rowShape: 'array' }).rows).toEqual([
      [1659605340000, 'exämple.com', 10],
      [1659605400000, '日本.jp 🎉', 40],
    ]);
  });

  it('accepts an empty result', () => {
    const outcome = parse('json/simple', ['    ']);
    expect(outcome.error).toBeUndefined();
    expect(outcome.rows).toEqual([]);
  });

  it('throws the ["error",…] marker after the rows before it', () => {
    const outcome = parse('json/simple', [SIMPLE_LINES[0] + '\r\n["error",500,"A very bad query error"]\r\n' + SIMPLE_LINES[1] + '\r\n']);
    expect(outcome.rows).toEqual([ROWS[0]]);
    expect(outcome.error).toMatchObject({ code: 'ERR_QUERY_DATA', serverCode: 500 });
    expect(outcome.error?.message).toContain('A very bad query error');
  });

  it('reports a truncated last line', () => {
    expect(parse('json/simple', [SIMPLE_LINES[0] + '\r\n{"eventdate":16596']).error?.code).toBe('ERR_QUERY_TRUNCATED');
  });
});

describe('ResponseParser json and json/compact', () => {
  const jsonBody =
    '{"msg":"","status":0,"timestamp":1659539571639,"cid":"a6fe6a6ec8bc","object":[{"eventdate":1659539580000,"count":50},    {"eventdate":1659539640000,"count":105}]}';
  const compactBody =
    '{"msg":"","status":0,"timestamp":1659604839206,"cid":"ffe04b2e649c","object":{"m":{"count":{"type":"int8","index":1},"eventdate":{"type":"timestamp","index":0}},"metadata":[{"name":"eventdate","type":"timestamp"},{"name":"count","type":"int8"}],"d":[[1659604860000,18],    [1659604920000,58]]}}';

  it('parses json whole, keep-alive spaces included, for every split', () => {
    for (const chunks of splits('    ' + jsonBody + '    ')) {
      const outcome = parse('json', chunks);
      expect(outcome.rows).toEqual([
        { eventdate: 1659539580000, count: 50 },
        { eventdate: 1659539640000, count: 105 },
      ]);
    }
  });

  it('parses json/compact by metadata', () => {
    expect(parse('json/compact', [compactBody]).rows).toEqual([
      { eventdate: 1659604860000, count: 18 },
      { eventdate: 1659604920000, count: 58 },
    ]);
  });

  it('handles empty results', () => {
    expect(parse('json', ['{"msg":"","status":0,"object":[]}'])).toMatchObject({ rows: [], columns: [], error: undefined });
    const compact = parse('json/compact', ['{"msg":"","status":0,"object":{"m":{"a":{"type":"str","index":0}},"metadata":[{"name":"a","type":"str"}],"d":[]}}']);
    expect(compact).toMatchObject({ rows: [], error: undefined });
    expect(compact.columns).toEqual([{ name: 'a', type: 'str', index: 0 }]);
  });

  it('delivers rows then the in-document error (json "error", json/compact "e")', () => {
    const json = parse('json', ['{"msg":"","status":0,"object":[{"a":1}],"error":[500,"boom"]}']);
    expect(json.rows).toEqual([{ a: 1 }]);
    expect(json.error).toMatchObject({ code: 'ERR_QUERY_DATA', serverCode: 500 });
    const compact = parse('json/compact', ['{"msg":"","status":0,"object":{"metadata":[{"name":"a","type":"int4"}],"d":[[1]]},"e":[500,"boom"]}']);
    expect(compact.rows).toEqual([{ a: 1 }]);
    expect(compact.error?.code).toBe('ERR_QUERY_DATA');
    const nested = parse('json/compact', ['{"object":{"metadata":[{"name":"a","type":"int4"}],"d":[],"e":[500,"boom"]}}']);
    expect(nested.error?.code).toBe('ERR_QUERY_DATA');
  });

  it('reports a cut-off document as truncated and garbage as malformed', () => {
    expect(parse('json', [jsonBody.slice(0, 60)]).error?.code).toBe('ERR_QUERY_TRUNCATED');
    expect(parse('json/compact', [compactBody.slice(0, compactBody.length - 2)]).error?.code).toBe('ERR_QUERY_TRUNCATED');
    expect(parse('json', ['']).error?.code).toBe('ERR_QUERY_TRUNCATED');
    expect(parse('json', ['{"object":[} ']).error?.code).toBe('ERR_QUERY_MALFORMED');
    expect(parse('json', ['{"object":{}}']).error?.code).toBe('ERR_QUERY_RESPONSE');
  });
});

describe('ResponseParser csv and tsv', () => {
  it('parses csv with every keep-alive artefact of docs/reference/devo-query-api.md §6 at every position and every split', () => {
    const artefacts: { keepAlive: string; token?: string }[] = [
      { keepAlive: '\n' }, // {"type":"token"}
      { keepAlive: 'KA', token: 'KA' }, // {"type":"token","token":"KA"}: glued before the next line
      { keepAlive: 'KAKA', token: 'KA' },
      { keepAlive: ',,\n' }, // {"type":"empty"}: columns − 1 separators
    ];
    for (const { keepAlive, token } of artefacts) {
      for (let position = 0; position <= CSV_LINES.length; position++) {
        for (const chunks of splits(withKeepAlive(CSV_LINES, position, keepAlive, '\n'))) {
          const outcome = parse('csv', chunks, { keepAliveToken: token });
          expect(outcome.error).toBeUndefined();
          expect(outcome.rows).toEqual(CSV_ROWS);
        }
      }
    }
  });

  it('parses tsv with CRLF or LF', () => {
    for (const ending of ['\n', '\r\n']) {
      const body = CSV_LINES.map((line) => line.replaceAll(',', '\t')).join(ending) + ending;
      expect(parse('tsv', [body]).rows).toEqual(CSV_ROWS);
    }
  });

  it('reads RFC 4180 quoted fields, including separators, quotes and newlines, across chunks', () => {
    const body = 'a,b\n"x, y","say ""hi"""\n"multi\nline",plain\n';
    for (const chunks of splits(body)) {
      expect(parse('csv', chunks).rows).toEqual([
        { a: 'x, y', b: 'say "hi"' },
        { a: 'multi\nline', b: 'plain' },
      ]);
    }
  });

  it('gives columns and no rows for a header-only body', () => {
    const outcome = parse('csv', ['eventdate,domain,count\n']);
    expect(outcome).toMatchObject({ rows: [], error: undefined });
    expect(outcome.columns?.map((column) => column.name)).toEqual(['eventdate', 'domain', 'count']);
  });

  it('throws devo.api.error lines after the rows before them', () => {
    const csv = parse('csv', [CSV_LINES[0] + '\n' + CSV_LINES[1] + '\ndevo.api.error,500,Error Processing Query: a, b\n' + CSV_LINES[2] + '\n']);
    expect(csv.rows).toEqual([CSV_ROWS[0]]);
    expect(csv.error).toMatchObject({ code: 'ERR_QUERY_DATA', serverCode: 500, rowsBefore: 1 });
    expect(csv.error?.message).toContain('Error Processing Query: a, b');
    const tsv = parse('tsv', ['a\tb\ndevo.api.error\t500\tboom\n']);
    expect(tsv.error?.code).toBe('ERR_QUERY_DATA');
  });

  it('reports rows with the wrong field count and unterminated quotes', () => {
    expect(parse('csv', [CSV_LINES[0] + '\n2022-08-04 09:29:00.000,exämple.com\n']).error?.code).toBe('ERR_QUERY_MALFORMED');
    expect(parse('csv', [CSV_LINES[0] + '\n"2022-08-04,x']).error?.code).toBe('ERR_QUERY_TRUNCATED');
  });
});
