import type { FakeTable, QueryEngine } from '../../fake-query-types';
import { QueryLaunchError } from '../../fake-query-types';

export function createDefaultEngine(tables: Readonly<Record<string, FakeTable>>): QueryEngine {
  return (request) => {
    const text = request.query ?? '';
    const match = /^from\s+([\w.]+)(?:\s+select\s+([\s\S]+))?$/i.exec(text.trim());
    if (match === null) {
      throw new QueryLaunchError(
        `com.devo.malote.syntax.ParseException: the fake's default engine only runs "from TABLE [select a, b]", got: ${text.slice(0, 200)}`,
      );
    }
    const tableName = match[1]!;
    const table = tables[tableName];
    if (table === undefined) {
      throw new QueryLaunchError(`Table not found: ${tableName}`, { position: text.indexOf(tableName) });
    }
    const names = table.columns.map((column) => column.name);
    let picks = names.map((_, index) => index);
    if (match[2] !== undefined) {
      picks = match[2].split(',').map((item) => {
        const name = item.trim();
        const index = names.indexOf(name);
        if (index < 0) throw new QueryLaunchError(`Unknown field: ${name}`, { position: text.indexOf(name) });
        return index;
      });
    }
    const eventdate = names.indexOf('eventdate');
    const { from, to } = request;
    async function* rows(): AsyncGenerator<unknown[]> {
      const source = typeof table!.rows === 'function' ? table!.rows() : table!.rows;
      for await (const raw of source as AsyncIterable<unknown> | Iterable<unknown>) {
        const row: unknown[] = Array.isArray(raw) ? (raw as unknown[]) : names.map((name) => (raw as Record<string, unknown>)[name]);
        if (eventdate >= 0) {
          const cell = row[eventdate];
          const ms = cell instanceof Date ? cell.getTime() : Number(cell);
          if (!(ms >= from) || (to !== undefined && !(ms < to))) continue;
        }
        yield picks.length === row.length && picks.every((value, index) => value === index) ? row : picks.map((index) => row[index]);
      }
    }
    return Promise.resolve({ columns: picks.map((index) => table.columns[index]!), rows: rows() });
  };
}
