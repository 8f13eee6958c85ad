import { CompiledQuery, type Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/**
 * A multi-row INSERT whose SQL text is built once per shape and reused. Kysely's builder parses
 * and compiles every value of every row, which was a fifth of the time of a 1000-point metric
 * batch; this is the same statement without that work. Table and column names come from code,
 * never from input.
 *
 * On PostgreSQL, when the caller names each column's type, the rows travel as one array per
 * column (`insert … select * from unnest($1::int8[], …)`): six parameters instead of six
 * thousand, and a statement text that is the same whatever the number of rows. PostgreSQL
 * parses, binds and plans a 6000-parameter VALUES list row by row; that was about a third of
 * its CPU per 1000-point batch (docs/benchmarks.md, PostgreSQL, issue 23).
 * SQLite keeps the flat parameter list: it has no arrays, and binding is cheap there.
 */
const placeholderStyle = new WeakMap<object, 'question' | 'dollar'>();
const statements = new Map<string, string>();

function styleOf(db: Kysely<Schema>): 'question' | 'dollar' {
  const executor = db.getExecutor();
  let style = placeholderStyle.get(executor.adapter);
  if (!style) {
    const probe = db.selectFrom('users').select('id').where('id', '=', 1).compile().sql;
    style = probe.includes('$1') ? 'dollar' : 'question';
    placeholderStyle.set(executor.adapter, style);
  }
  return style;
}

/** A column of a bulk insert: its name and, for the array form on PostgreSQL, its type there. */
export type BulkColumn = string | { name: string; pgType: 'int4' | 'int8' | 'float8' | 'text' };

const nameOf = (column: BulkColumn) => (typeof column === 'string' ? column : column.name);

function statementText(style: 'question' | 'dollar', table: string, columns: readonly BulkColumn[], rowCount: number, suffix: string, asArrays: boolean): string {
  const shape = `${style}|${table}|${columns.map((c) => (typeof c === 'string' ? c : `${c.name}:${c.pgType}`)).join(',')}|${asArrays ? 'arrays' : rowCount}|${suffix}`;
  let text = statements.get(shape);
  if (!text) {
    const names = columns.map((c) => `"${nameOf(c)}"`).join(', ');
    if (asArrays) {
      const arrays = columns.map((c, i) => `$${i + 1}::${(c as Exclude<BulkColumn, string>).pgType}[]`).join(', ');
      text = `insert into ${table} (${names}) select * from unnest(${arrays}) ${suffix}`;
    } else {
      let n = 0;
      const tuple = () => `(${columns.map(() => (style === 'dollar' ? `$${++n}` : '?')).join(', ')})`;
      text = `insert into ${table} (${names}) values ${Array.from({ length: rowCount }, tuple).join(', ')} ${suffix}`;
    }
    if (statements.size > 500) statements.clear();
    statements.set(shape, text);
  }
  return text;
}

const QUOTE_OR_BACKSLASH = /["\\]/g;

/**
 * One column of `rows` as PostgreSQL's array text (`{1,2,"a\"b"}`), cast by the statement.
 * The driver's own conversion of a JS array quotes and escapes every element through several
 * calls each, a tenth of the server's CPU per 1000-point batch; numbers need neither (their
 * JS spelling, Infinity included, is one PostgreSQL reads), and strings only quotes with `"`
 * and `\` escaped.
 */
function arrayLiteral(rows: readonly (readonly unknown[])[], column: number): string {
  const parts = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const value = rows[r]![column];
    if (value === null || value === undefined) parts[r] = 'NULL';
    else if (typeof value === 'number' || typeof value === 'bigint') parts[r] = String(value);
    else if (typeof value === 'string') parts[r] = `"${value.replace(QUOTE_OR_BACKSLASH, '\\$&')}"`;
    // Dates, buffers and objects have spellings of their own; no caller sends one.
    else throw new Error(`bulkInsert: column ${column} holds a ${typeof value}, which the array form does not spell`);
  }
  return `{${parts.join(',')}}`;
}

export async function bulkInsert(
  db: Kysely<Schema>,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
  /** `on conflict ...`, fixed text written by the caller. */
  suffix = '',
): Promise<void> {
  if (rows.length === 0) return;
  const style = styleOf(db);
  const asArrays = style === 'dollar' && columns.every((c) => typeof c !== 'string');
  const text = statementText(style, table, columns, rows.length, suffix, asArrays);
  const parameters: unknown[] = [];
  if (asArrays) {
    for (let i = 0; i < columns.length; i++) parameters.push(arrayLiteral(rows, i));
  } else {
    for (const row of rows) for (const value of row) parameters.push(value);
  }
  await db.executeQuery(CompiledQuery.raw(text, parameters));
}

/**
 * `bulkInsert … on conflict do nothing`, cheaper on PostgreSQL where rows rarely collide.
 * There, `on conflict` makes every row a speculative insertion (check the unique index, insert,
 * confirm), about half the cost of a 1000-point metric batch. Inside a transaction the rows
 * are first inserted plainly behind a savepoint; only when that meets a duplicate (unique
 * violation, 23505) is the savepoint rolled back and the batch inserted again with
 * `on conflict do nothing`. The outcome is the same either way: every new row stored, exact
 * duplicates skipped. SQLite's `on conflict do nothing` costs what a plain insert does.
 */
export async function bulkInsertSkippingDuplicates(db: Kysely<Schema>, table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  if (styleOf(db) !== 'dollar' || !db.isTransaction) return bulkInsert(db, table, columns, rows, 'on conflict do nothing');
  await db.executeQuery(CompiledQuery.raw('savepoint bulk_insert'));
  try {
    await bulkInsert(db, table, columns, rows);
  } catch (error) {
    if ((error as { code?: unknown }).code !== '23505') throw error;
    await db.executeQuery(CompiledQuery.raw('rollback to savepoint bulk_insert'));
    await bulkInsert(db, table, columns, rows, 'on conflict do nothing');
  }
  await db.executeQuery(CompiledQuery.raw('release savepoint bulk_insert'));
}
