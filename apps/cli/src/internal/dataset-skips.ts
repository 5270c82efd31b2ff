import { DATASET_SOURCE_REMEDY } from '@dga/dataset';
import { ExitCode, ExitError } from '../exit-error';
import { parseNumberFlag } from './parse-flags';

/** What reading a dataset skipped, and how its labels were obtained (the trainer's and evaluate's report). */
export interface DatasetSkipReport {
  skipped: number;
  skippedByReason: Partial<Record<string, number>>;
  labelDisagreements: number;
  labelsFromDomain: number;
}

/** `--strict` and `--max-skipped-rows`, shared by `train` and `evaluate`. */
export const datasetSkipArgs = {
  strict: { type: 'boolean', description: 'Fail on the first malformed dataset line instead of skipping it' },
  'max-skipped-rows': {
    type: 'string',
    description: 'Fail when more dataset lines than N are malformed (default: fail above 10 % of the lines)',
    valueHint: 'n',
  },
} as const;

/** The `readDataset` options the skip flags ask for. */
export function datasetSkipOptions(args: { strict?: boolean | undefined; 'max-skipped-rows'?: string | undefined }): { strict?: boolean; maxSkippedRows?: number } {
  const maxSkippedRows = parseNumberFlag(args['max-skipped-rows'], 'max-skipped-rows', { integer: true, min: 0 });
  return {
    ...(args.strict === true ? { strict: true } : {}),
    ...(maxSkippedRows === undefined ? {} : { maxSkippedRows }),
  };
}

/** `@dga/dataset` errors whose fix is another dataset source: the CLI's hint names how to give one. */
const sourceErrorCodes = new Set(['ERR_DATASET_NOT_FOUND', 'ERR_DATASET_HEADER', 'ERR_DATASET_UNREACHABLE', 'ERR_DATASET_HTTP_STATUS', 'ERR_DATASET_DOWNLOAD_INTERRUPTED']);

/** How the command that runs reads its dataset, for the hints: `train` also reads `DGA_DATASET`. */
export type DatasetCommand = 'train' | 'evaluate';

/** `message` without the library's closing "use another dataset" sentence. */
function withoutSourceRemedy(message: string): string {
  return message.endsWith(` ${DATASET_SOURCE_REMEDY}`) ? message.slice(0, -DATASET_SOURCE_REMEDY.length - 1) : message;
}

/** How each command is given another dataset. */
const sourceHints: Record<DatasetCommand, string> = {
  train: 'pass another file or URL with --dataset, or set DGA_DATASET to one',
  evaluate: 'pass another file or URL with --dataset',
};

/**
 * Turns `@dga/dataset`'s `ERR_DATASET_TOO_MANY_SKIPPED` into an exit-1 error whose hint names
 * the flag that allows it, a source error (missing file, bad header, unreachable URL…) into one
 * whose hint says how `command` takes another dataset (the library names no flag or variable),
 * and `@dga/model`'s `ERR_MODEL_EMPTY_SPLIT` (a dataset without rows of both classes, or too few
 * rows) into one that names `dataset` and how to fix it; returns any other error unchanged.
 */
export function explainDatasetError(error: unknown, command: DatasetCommand, dataset?: string): unknown {
  const { code, skipped, rows, message } = error as { code?: unknown; skipped?: unknown; rows?: unknown; message?: unknown };
  if (typeof message !== 'string') return error;
  if (typeof code === 'string' && sourceErrorCodes.has(code)) {
    // The hint says how this command takes another dataset: the library's general remedy goes.
    return new ExitError(ExitCode.failure, withoutSourceRemedy(message), { cause: error, hint: sourceHints[command] });
  }
  if (code === 'ERR_DATASET_TOO_MANY_SKIPPED' && rows === 0) {
    // No row to use: --max-skipped-rows would only move the failure to "no usable rows".
    return new ExitError(ExitCode.failure, withoutSourceRemedy(message), { cause: error, hint: sourceHints[command] });
  }
  if (code === 'ERR_DATASET_TOO_MANY_SKIPPED') {
    return new ExitError(ExitCode.failure, message, {
      cause: error,
      hint: `to use the remaining rows anyway, pass --max-skipped-rows ${typeof skipped === 'number' ? skipped : 'N'}`,
    });
  }
  if (code === 'ERR_MODEL_EMPTY_SPLIT') {
    return new ExitError(ExitCode.failure, `${dataset ?? 'the dataset'} cannot train a classifier: ${message.replace(/^trainModel: /, '')}`, {
      cause: error,
      hint: 'training needs rows of both classes ("legit" and "dga" in the class column), at least a few dozen of each; pass such a file with --dataset FILE or DGA_DATASET',
    });
  }
  return error;
}

/**
 * One line for a human summary: `1334 lines skipped (invalid-class 1334); 93 labels differ from
 * the domain column (label from the host, as classify computes it; 3 from the domain column)`.
 */
export function formatDatasetSkips(report: DatasetSkipReport): string {
  const reasons = Object.entries(report.skippedByReason)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0) || a[0].localeCompare(b[0]))
    .map(([reason, count]) => `${reason} ${count}`);
  const skipped = report.skipped === 0 ? 'no lines skipped' : `${report.skipped} line${report.skipped === 1 ? '' : 's'} skipped (${reasons.join(', ')})`;
  const fallback = report.labelsFromDomain === 0 ? '' : `; ${report.labelsFromDomain} from the domain column, the host having none`;
  const labels =
    report.labelDisagreements === 0
      ? 'every label as in the domain column'
      : `${report.labelDisagreements} label${report.labelDisagreements === 1 ? '' : 's'} differ from the domain column (labels come from the host, as classify computes them${fallback})`;
  return `${skipped}; ${labels}`;
}
