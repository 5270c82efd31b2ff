import { describe, expect, it } from 'vitest';
import { mlmmEngineExtension, mlmmEngines } from '../engines';
import { buildModelMultipart } from './multipart';
import { pythonJsonDumps } from './python-json';
import { pythonQuote } from './python-quote';
import { backoffDelay, parseRetryAfter, type ResolvedRetry } from './retry';

/** A deterministic source of floats in [0, 1) (golden-ratio steps from `start`), for tests only. */
function steps(start: number): () => number {
  let value = start;
  return () => (value = (value + 0.618_033_988_749_895) % 1);
}

describe('pythonQuote', () => {
  it('encodes the examples of docs/reference/mlmm-api.md §3 like urllib.parse.quote', () => {
    expect(pythonQuote('MY FIRST MODEL')).toBe('MY%20FIRST%20MODEL');
    expect(pythonQuote('ñ')).toBe('%C3%B1');
    expect(pythonQuote("a(b)!*'")).toBe('a%28b%29%21%2A%27');
    expect(pythonQuote('x/y')).toBe('x/y');
  });

  it('keeps the unreserved set and encodes everything else upper-case', () => {
    expect(pythonQuote('AZaz09_.-~')).toBe('AZaz09_.-~');
    // Values from Python 3.12: quote('a+b&c=d?e#f%g:h@i,j;k$l"m<n>o[p]q{r}s|t\\u^v`w')
    expect(pythonQuote('a+b&c=d?e#f%g:h@i,j;k$l"m<n>o[p]q{r}s|t\\u^v`w')).toBe(
      'a%2Bb%26c%3Dd%3Fe%23f%25g%3Ah%40i%2Cj%3Bk%24l%22m%3Cn%3Eo%5Bp%5Dq%7Br%7Ds%7Ct%5Cu%5Ev%60w',
    );
    expect(pythonQuote('😀')).toBe('%F0%9F%98%80');
  });
});

describe('pythonJsonDumps', () => {
  it('uses Python separators, insertion order and ensure_ascii escapes', () => {
    expect(pythonJsonDumps({ b: 1, a: [true, null, 'x'], c: {} })).toBe('{"b": 1, "a": [true, null, "x"], "c": {}}');
    expect(pythonJsonDumps('ñ "q" \\ \n\t\u0001\u007f😀')).toBe('"\\u00f1 \\"q\\" \\\\ \\n\\t\\u0001\\u007f\\ud83d\\ude00"');
    expect(pythonJsonDumps([])).toBe('[]');
  });
});

describe('buildModelMultipart', () => {
  it('lays out engine first, then fileName with filename and no per-part Content-Type (docs/reference/mlmm-api.md §4.3)', () => {
    const bytes = new Uint8Array([0x08, 0x07, 0x0d, 0x0a, 0xff]);
    const { contentType, body } = buildModelMultipart('ONNX', 'dga_classifier_onnx.onnx', bytes, steps(0.1));
    const boundary = /^multipart\/form-data; boundary=([0-9a-f]{32})$/.exec(contentType)?.[1];
    expect(boundary).toBeDefined();
    const expected = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\n` +
          'Content-Disposition: form-data; name="engine"\r\n' +
          '\r\n' +
          'ONNX\r\n' +
          `--${boundary}\r\n` +
          'Content-Disposition: form-data; name="fileName"; filename="dga_classifier_onnx.onnx"\r\n' +
          '\r\n',
        'latin1',
      ),
      Buffer.from([0x08, 0x07, 0x0d, 0x0a, 0xff]),
      Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
    ]);
    expect(body.equals(expected)).toBe(true);
  });

  it('escapes quotes and line breaks in the filename like urllib3', () => {
    const { body } = buildModelMultipart('ONNX', 'a"b\r\nc.onnx', new Uint8Array([1]), steps(0.1));
    expect(body.toString('latin1')).toContain('filename="a%22b%0D%0Ac.onnx"');
  });

  it('draws another boundary when the file contains the first one', () => {
    const first = buildModelMultipart('ONNX', 'f', new Uint8Array([1]), steps(0.7)).contentType.slice(-32);
    const { contentType } = buildModelMultipart('ONNX', 'f', Buffer.from(`xx${first}xx`), steps(0.7));
    expect(contentType.slice(-32)).not.toBe(first);
  });
});

describe('engines', () => {
  it('maps engines to the extensions of docs/reference/mlmm-api.md §6, case-insensitively', () => {
    expect(mlmmEngines).toEqual(['ONNX', 'H2O', 'BIGML', 'CATBOOST', 'DT', 'IDA', 'MLSTATS', 'MUA', 'UNICODE', 'WORKFLOWS']);
    const table: [string, string][] = [
      ['ONNX', '.onnx'], ['H2O', '.zip'], ['BIGML', '.json'], ['CATBOOST', '.cmb'], ['DT', '.json'],
      ['IDA', '.json'], ['MLSTATS', ''], ['MUA', '.zip'], ['UNICODE', '.zip'], ['WORKFLOWS', '.json'],
      ['onnx', '.onnx'], ['CatBoost', '.cmb'], ['TENSORFLOW', ''], ['constructor', ''],
    ];
    for (const [engine, extension] of table) expect(mlmmEngineExtension(engine), engine).toBe(extension);
  });
});

describe('retry timing', () => {
  const settings: ResolvedRetry = {
    limit: 3, statusCodes: [503], errorCodes: [], baseDelayMs: 500, maxDelayMs: 1500, jitter: true, maxRetryAfterMs: 10_000,
  };

  it('draws full jitter under an exponential ceiling with a cap', () => {
    expect([1, 2, 3, 4].map((retry) => backoffDelay(retry, settings, () => 0.5))).toEqual([250, 500, 750, 750]);
    expect(backoffDelay(3, settings, () => 0.999)).toBe(1498);
    expect(backoffDelay(1, settings, () => 0)).toBe(0);
  });

  it('waits the exponential delay exactly without jitter', () => {
    const exact = { ...settings, jitter: false };
    expect([1, 2, 3, 4].map((retry) => backoffDelay(retry, exact, () => 0.5))).toEqual([500, 1000, 1500, 1500]);
  });

  it('reads Retry-After seconds and HTTP dates, bounded', () => {
    const now = (): number => Date.UTC(2024, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('2', now, 10_000)).toBe(2000);
    expect(parseRetryAfter('3600', now, 10_000)).toBe(10_000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:04 GMT', now, 10_000)).toBe(4000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 00:00:04 GMT', now, 10_000)).toBe(0);
    expect(parseRetryAfter('soon', now, 10_000)).toBeUndefined();
    expect(parseRetryAfter(undefined, now, 10_000)).toBeUndefined();
  });
});
