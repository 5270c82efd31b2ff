import { describe, expect, it } from 'vitest';
import { colorsEnabled, createColors, createLogger } from './logger';
import { createProgress } from './progress';

function sink(isTTY = false): { stream: { write(chunk: string): boolean; isTTY: boolean }; text(): string } {
  let text = '';
  return {
    stream: {
      isTTY,
      write(chunk: string) {
        text += chunk;
        return true;
      },
    },
    text: () => text,
  };
}

describe('createLogger', () => {
  it('writes human lines with fields, filtered by level', () => {
    const out = sink();
    const logger = createLogger({ stream: out.stream, level: 'info', color: false });
    logger.debug('hidden');
    logger.info('model exported', { file: 'run/model.onnx', seconds: 1.23456 });
    logger.warn('careful');
    expect(out.text()).toBe('model exported file=run/model.onnx seconds=1.2346\nwarning: careful\n');
  });

  it('writes one JSON object a line with --log-format json', () => {
    const out = sink();
    const logger = createLogger({ stream: out.stream, format: 'json', level: 'debug', now: () => new Date(0) });
    logger.debug('hello', { rows: 3 });
    expect(JSON.parse(out.text())).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'debug', msg: 'hello', rows: 3 });
  });

  it('masks secret-looking fields and scrubs registered secrets from every line', () => {
    const out = sink();
    const logger = createLogger({ stream: out.stream, color: false });
    logger.addSecret('tok-123456');
    logger.info('calling https://user:pw@host/x with tok-123456', { token: 'tok-123456', apiSecret: 'zzz', url: 'https://a:b@h/' });
    expect(out.text()).not.toContain('tok-123456');
    expect(out.text()).not.toContain('zzz');
    expect(out.text()).not.toContain('user:pw');
    expect(out.text()).toContain('token=***');
  });
});

describe('colorsEnabled', () => {
  it('is off without a TTY, with NO_COLOR or TERM=dumb', () => {
    expect(colorsEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorsEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorsEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorsEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});

describe('createColors', () => {
  const escape = String.fromCharCode(0x1b);

  it('wraps text in the SGR codes when enabled, whatever process.stdout is', () => {
    const colors = createColors(true);
    expect(colors.red('x')).toBe(`${escape}[31mx${escape}[39m`);
    expect(colors.gray('x')).toBe(`${escape}[90mx${escape}[39m`);
    expect(colors.bold('x')).toBe(`${escape}[1mx${escape}[22m`);
  });

  it('returns the text unchanged when disabled', () => {
    const colors = createColors(false);
    expect([colors.red('x'), colors.yellow('x'), colors.green('x'), colors.gray('x'), colors.bold('x'), colors.cyan('x')]).toEqual(['x', 'x', 'x', 'x', 'x', 'x']);
  });
});

describe('createProgress', () => {
  it('draws a bar on a TTY and erases it when done', () => {
    const out = sink(true);
    let time = 0;
    const logger = createLogger({ stream: out.stream, color: false });
    const progress = createProgress({ stream: out.stream, logger, now: () => time, columns: 100 });
    const task = progress.start('download', { total: 100, unit: 'items' });
    time = 1000;
    task.update(50);
    expect(out.text()).toContain('[');
    expect(out.text()).toContain(' 50% ');
    task.done('downloaded');
    expect(out.text().endsWith('downloaded seconds=1\n')).toBe(true);
  });

  it('prints plain throttled lines without a TTY, and nothing when silent', () => {
    const out = sink(false);
    let time = 0;
    const logger = createLogger({ stream: out.stream, color: false });
    const task = createProgress({ stream: out.stream, logger, now: () => time, intervalMs: 5000 }).start('rows');
    time = 1000;
    task.update(10);
    expect(out.text()).toBe('');
    time = 6000;
    task.update(20);
    expect(out.text()).toMatch(/^rows: 20 {2}3\/s\n$/);
    expect(out.text()).not.toContain('\r');
    const quiet = sink(true);
    const silentTask = createProgress({ stream: quiet.stream, logger: createLogger({ stream: quiet.stream }), silent: true }).start('x', { total: 2 });
    silentTask.update(1);
    silentTask.done();
    expect(quiet.text()).toBe('');
  });
});

describe('createLogger redaction of URLs', () => {
  it('strips user:password@ and masks signatures and tokens of every URL in a line or field (also with --verbose)', () => {
    const out = sink();
    const logger = createLogger({ stream: out.stream, level: 'debug', color: false });
    const presigned =
      'https://bucket.s3.amazonaws.com/data.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261207&X-Amz-Signature=0123abcd&v=2';
    logger.debug(`downloading ${presigned}`, { url: 'https://alice:pa55word@data.example/set.csv?token=t0k3n&sig=5160&format=csv' });
    const text = out.text();
    expect(text).toBe(
      'debug downloading https://bucket.s3.amazonaws.com/data.csv?X-Amz-Algorithm=***&X-Amz-Credential=***&X-Amz-Signature=***&v=2 ' +
        'url="https://data.example/set.csv?token=***&sig=***&format=csv"\n',
    );
  });
});
