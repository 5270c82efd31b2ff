import type { LogStream, Logger } from './logger';

/** One task being tracked: a download, epochs of training, rows classified. */
export interface ProgressTask {
  /** Sets the absolute position and an optional suffix (e.g. `loss=0.31`). */
  update(current: number, detail?: string): void;
  /** Ends the task, printing a final line. */
  done(message?: string): void;
}

export interface ProgressOptions {
  /** @default process.stderr */
  stream?: LogStream;
  /** Bars only when true; otherwise plain lines at most every `intervalMs`. @default stream.isTTY */
  interactive?: boolean;
  /** The logger, used for plain-line and JSON progress. */
  logger: Logger;
  /** Nothing at all (`--quiet`). */
  silent?: boolean;
  /** Minimum time between plain progress lines. @default 5000 */
  intervalMs?: number;
  /** Clock. @default performance.now */
  now?: () => number;
  /** Terminal width. @default stream.columns or 80 */
  columns?: number;
}

/** Creates tasks, and coordinates the bar with log lines (see {@link ProgressRenderer.clear}). */
export interface ProgressRenderer {
  start(label: string, options?: { total?: number; unit?: 'bytes' | 'items' | 'epochs' }): ProgressTask;
  /** Erases the bar line (before a log line is written). */
  clear(): void;
  /** Redraws the bar line (after a log line). */
  redraw(): void;
}

function formatAmount(value: number, unit: 'bytes' | 'items' | 'epochs'): string {
  if (unit === 'bytes') {
    if (value >= 2 ** 20) return `${(value / 2 ** 20).toFixed(1)} MiB`;
    if (value >= 2 ** 10) return `${(value / 2 ** 10).toFixed(1)} KiB`;
    return `${value} B`;
  }
  return Math.round(value).toLocaleString('en-US');
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

/**
 * Progress on stderr: a redrawn bar on a TTY, plain throttled lines elsewhere (CI, pipes), JSON
 * events with `--log-format json`, nothing with `--quiet`.
 *
 * @example
 * const progress = createProgress({ logger });
 * const task = progress.start('download', { total: size, unit: 'bytes' });
 * task.update(received); task.done();
 */
export function createProgress(options: ProgressOptions): ProgressRenderer {
  const stream = options.stream ?? process.stderr;
  const interactive = (options.interactive ?? stream.isTTY === true) && options.logger.format === 'human';
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 5000;
  let barLine = '';

  const renderer: ProgressRenderer = {
    clear() {
      if (interactive && barLine !== '') stream.write('\r\u001B[2K');
    },
    redraw() {
      if (interactive && barLine !== '') stream.write(barLine);
    },
    start(label, startOptions = {}) {
      const unit = startOptions.unit ?? 'items';
      const total = startOptions.total;
      const startedAt = now();
      let lastDraw = -Infinity;
      let lastPlain = startedAt;
      let current = 0;
      let detail = '';
      let finished = false;

      const describe = (): string => {
        const elapsed = (now() - startedAt) / 1000;
        const parts: string[] = [];
        if (total !== undefined && total > 0) {
          const fraction = Math.min(1, current / total);
          parts.push(`${formatAmount(current, unit)}/${formatAmount(total, unit)}`);
          if (fraction > 0 && fraction < 1) parts.push(`eta ${formatSeconds((elapsed / fraction) * (1 - fraction))}`);
        } else {
          parts.push(formatAmount(current, unit));
          if (unit !== 'epochs' && elapsed > 0.5) parts.push(`${formatAmount(current / elapsed, unit)}/s`);
        }
        if (detail !== '') parts.push(detail);
        return parts.join('  ');
      };

      const draw = () => {
        const columns = options.columns ?? (stream as { columns?: number }).columns ?? 80;
        let line = `${label} `;
        if (total !== undefined && total > 0) {
          const fraction = Math.min(1, current / total);
          const width = Math.max(10, Math.min(30, columns - 60));
          const filled = Math.round(fraction * width);
          line += `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% `;
        }
        line += describe();
        if (line.length > columns - 1) line = line.slice(0, columns - 1);
        barLine = line;
        stream.write('\r\u001B[2K' + line);
      };

      return {
        update(value, newDetail) {
          if (finished || options.silent === true) return;
          current = value;
          if (newDetail !== undefined) detail = newDetail;
          const time = now();
          if (interactive) {
            if (time - lastDraw >= 80) {
              lastDraw = time;
              draw();
            }
          } else if (time - lastPlain >= intervalMs) {
            lastPlain = time;
            if (options.logger.format === 'json') {
              options.logger.info('progress', { task: label, current, total, detail: detail || undefined });
            } else {
              options.logger.info(`${label}: ${describe()}`);
            }
          }
        },
        done(message) {
          if (finished) return;
          finished = true;
          if (interactive && barLine !== '') {
            stream.write('\r\u001B[2K');
            barLine = '';
          }
          if (options.silent === true) return;
          const seconds = (now() - startedAt) / 1000;
          options.logger.info(message ?? `${label}: done`, { seconds: Math.round(seconds * 100) / 100 });
        },
      };
    },
  };
  return renderer;
}
