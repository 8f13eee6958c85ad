import SQLite from 'better-sqlite3';
import pg from 'pg';

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The SQL texts the database drivers ran while `work` ran, on either dialect: the entry points
 * through which Kysely sends a statement (pg's `Client#query`, better-sqlite3's statement
 * methods) are wrapped for the duration. Whatever else runs meanwhile (the app's background
 * readers) is logged too, so callers pick the statements they are asking about.
 */
export async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const log: string[] = [];
  const memory = new SQLite(':memory:');
  const sqliteStatement = Object.getPrototypeOf(memory.prepare('select 1')) as Record<string, Method>;
  memory.close();
  const restore: (() => void)[] = [];
  const wrap = (target: Record<string, Method>, name: string, textOf: (self: unknown, args: unknown[]) => string) => {
    const original = target[name]!;
    target[name] = function (this: unknown, ...args: unknown[]) {
      log.push(textOf(this, args));
      return original.apply(this, args);
    };
    restore.push(() => (target[name] = original));
  };
  wrap(pg.Client.prototype as unknown as Record<string, Method>, 'query', (_, args) => (typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text)));
  for (const name of ['all', 'get', 'run', 'iterate']) wrap(sqliteStatement, name, (self) => (self as { source: string }).source);
  try {
    await work();
  } finally {
    for (const undo of restore) undo();
  }
  return log;
}
