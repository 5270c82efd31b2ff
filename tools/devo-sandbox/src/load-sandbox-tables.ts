import { isAbsolute, resolve } from 'node:path';
import type { SandboxTable } from './linq/run-query';
import { DEMO_TABLE, readTableFile } from './tables';

/** Options of {@link loadSandboxTables}. */
export interface LoadSandboxTablesOptions {
  /** A labelled CSV (`host;domain;class;subclass`), another CSV, or NDJSON; none = an empty demo table. */
  readonly tableFile?: string;
  /** @default 'demo.ecommerce.data' */
  readonly tableName?: string;
  /** Folder relative paths are resolved from. */
  readonly cwd: string;
  /** `eventdate` of the last generated row, epoch ms. */
  readonly endTime: number;
}

/**
 * The tables the sandbox CLI serves: the file given (a labelled CSV becomes referral URLs), or
 * an empty `demo.ecommerce.data` with `eventdate` and `referralUri`.
 *
 * @example
 * const tables = await loadSandboxTables({ tableFile: 'sample-small.csv', cwd: process.cwd(), endTime: Date.now() });
 */
export async function loadSandboxTables(options: LoadSandboxTablesOptions): Promise<Record<string, SandboxTable>> {
  const name = options.tableName ?? DEMO_TABLE;
  if (options.tableFile === undefined) {
    return { [name]: { columns: [{ name: 'eventdate', type: 'timestamp' }, { name: 'referralUri', type: 'str' }], rows: [] } };
  }
  const file = isAbsolute(options.tableFile) ? options.tableFile : resolve(options.cwd, options.tableFile);
  return { [name]: await readTableFile(file, { endTime: options.endTime }) };
}
