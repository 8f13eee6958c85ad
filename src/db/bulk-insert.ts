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

/** Whether {@link bulkInsertTogether} is available: on PostgreSQL, where rows travel as arrays. */
export function insertsTogether(db: Kysely<Schema>): boolean {
  return styleOf(db) === 'dollar';
}

/** One table's rows in {@link bulkInsertTogether}; every column names its PostgreSQL type. */
export interface BulkPart {
  table: string;
  columns: readonly Exclude<BulkColumn, string>[];
  rows: readonly (readonly unknown[])[];
  /** `on conflict ...`, fixed text written by the caller. */
  suffix?: string;
}

/**
 * The rows of several tables in one PostgreSQL statement, each insert but the last a
 * data-modifying `with` clause. A statement is atomic on its own, so writes that belong together
 * need no transaction around them: one round trip to the database instead of one per table plus
 * `begin` and `commit` (each about 75 µs of the server's time and more of PostgreSQL's, on this
 * machine). The parts must not touch the same rows twice, which PostgreSQL refuses in one statement.
 */
export async function bulkInsertTogether(db: Kysely<Schema>, parts: readonly BulkPart[]): Promise<void> {
  const present = parts.filter((part) => part.rows.length > 0);
  if (present.length === 0) return;
  if (!insertsTogether(db)) throw new Error('bulkInsertTogether: only PostgreSQL inserts rows as arrays');
  const shape = `together|${present.map((p) => `${p.table}:${p.columns.map((c) => `${c.name}:${c.pgType}`).join(',')}:${p.suffix ?? ''}`).join('|')}`;
  let text = statements.get(shape);
  if (!text) {
    let n = 0;
    const inserts = present.map((part) => {
      const arrays = part.columns.map((c) => `$${++n}::${c.pgType}[]`).join(', ');
      return `insert into ${part.table} (${part.columns.map((c) => `"${c.name}"`).join(', ')}) select * from unnest(${arrays}) ${part.suffix ?? ''}`;
    });
    const last = inserts.pop()!;
    text = inserts.length === 0 ? last : `with ${inserts.map((insert, i) => `w${i} as (${insert})`).join(', ')} ${last}`;
    if (statements.size > 500) statements.clear();
    statements.set(shape, text);
  }
  const parameters: unknown[] = [];
  for (const part of present) for (let i = 0; i < part.columns.length; i++) parameters.push(arrayLiteral(part.rows, i));
  await db.executeQuery(CompiledQuery.raw(text, parameters));
}

/**
 * Runs `insert` (given the conflict clause to end it with) so that exact duplicates of stored
 * rows, and of each other, are skipped and every other row stored. On PostgreSQL, `on conflict do
 * nothing` makes every row a speculative insertion (check the unique index, insert, confirm),
 * about half the cost of a 1000-point metric batch, while rows rarely collide: they are inserted
 * plainly first, and only when that meets a duplicate (unique violation, 23505) again with
 * `on conflict do nothing`. A failed statement outside a transaction undoes only itself; inside
 * one it aborts the transaction, so there a savepoint is taken first and rolled back to.
 * SQLite's `on conflict do nothing` costs what a plain insert does.
 */
export async function insertSkippingDuplicates(db: Kysely<Schema>, insert: (onConflict: string) => Promise<void>): Promise<void> {
  const skipping = 'on conflict do nothing';
  if (styleOf(db) !== 'dollar') return insert(skipping);
  const isDuplicate = (error: unknown) => (error as { code?: unknown }).code === '23505';
  if (!db.isTransaction) {
    try {
      return await insert('');
    } catch (error) {
      if (!isDuplicate(error)) throw error;
      return insert(skipping);
    }
  }
  await db.executeQuery(CompiledQuery.raw('savepoint bulk_insert'));
  try {
    await insert('');
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    await db.executeQuery(CompiledQuery.raw('rollback to savepoint bulk_insert'));
    await insert(skipping);
  }
  await db.executeQuery(CompiledQuery.raw('release savepoint bulk_insert'));
}

/** `bulkInsert` of rows of which exact duplicates are skipped ({@link insertSkippingDuplicates}). */
export async function bulkInsertSkippingDuplicates(db: Kysely<Schema>, table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  await insertSkippingDuplicates(db, (onConflict) => bulkInsert(db, table, columns, rows, onConflict));
}
