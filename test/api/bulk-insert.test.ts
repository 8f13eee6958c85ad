import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkInsert, bulkInsertSkippingDuplicates, bulkInsertTogether, insertSkippingDuplicates, insertsTogether, type BulkColumn } from '../../src/db/bulk-insert.ts';
import { statementsDuring } from '../support/statement-log.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const COLUMNS = [
  { name: 'id', pgType: 'int8' },
  { name: 'label', pgType: 'text' },
  { name: 'amount', pgType: 'float8' },
] as const satisfies BulkColumn[];

// Text that array syntax gives meaning to (quotes, backslashes, braces, commas, spaces, the
// word NULL, an empty string) and numbers at the edges of what each side spells.
const ROWS: [number, string | null, number][] = [
  [1, 'plain', 1.5],
  [2, 'a "quoted" word', Number.POSITIVE_INFINITY],
  [3, 'back\\slash\\', Number.NEGATIVE_INFINITY],
  [4, '{braces}, commas', -0.000001],
  [5, 'NULL', 1e300],
  [6, '', 5e-324],
  [7, '  spaced  ', 2 ** 53],
  [8, null, 0],
  [9, 'naïve ☃ 😀\nline', -123456789.125],
];

async function readBack(table: string): Promise<unknown[][]> {
  const { rows } = await sql<{ id: string | number; label: string | null; amount: number }>`select id, label, amount from ${sql.table(table)} order by id`.execute(t.services.database.db);
  return rows.map((r) => [Number(r.id), r.label, Number(r.amount)]);
}

describe('bulkInsert', () => {
  it('stores every value exactly, in the array form on PostgreSQL and the row form on SQLite', async () => {
    const db = t.services.database.db;
    await sql`create table bulk_probe (id bigint primary key, label text, amount double precision not null)`.execute(db);
    await bulkInsert(db, 'bulk_probe', COLUMNS, ROWS);
    expect(await readBack('bulk_probe')).toEqual(ROWS);
  });

  it('skips exact duplicates of stored rows and of its own, keeping the rest, inside a transaction and outside one', async () => {
    const db = t.services.database.db;
    await sql`create table bulk_dupes (id bigint primary key, label text, amount double precision not null)`.execute(db);
    await bulkInsertSkippingDuplicates(db, 'bulk_dupes', COLUMNS, ROWS.slice(0, 3));
    await db.transaction().execute(async (trx) => {
      await bulkInsertSkippingDuplicates(trx, 'bulk_dupes', COLUMNS, [ROWS[1]!, ROWS[3]!, ROWS[3]!, ROWS[4]!]);
      // The transaction goes on after the savepoint was rolled back.
      await bulkInsertSkippingDuplicates(trx, 'bulk_dupes', COLUMNS, ROWS.slice(5));
    });
    expect(await readBack('bulk_dupes')).toEqual(ROWS);
  });

  it('skips duplicates outside a transaction too, where a failed statement undoes only itself', async () => {
    const db = t.services.database.db;
    await sql`create table bulk_dupes_alone (id bigint primary key, label text, amount double precision not null)`.execute(db);
    await bulkInsertSkippingDuplicates(db, 'bulk_dupes_alone', COLUMNS, ROWS.slice(0, 4));
    await bulkInsertSkippingDuplicates(db, 'bulk_dupes_alone', COLUMNS, ROWS.slice(2));
    expect(await readBack('bulk_dupes_alone')).toEqual(ROWS);
  });
});

describe('bulkInsertTogether', () => {
  it('writes the rows of several tables in one statement on PostgreSQL, all or none; SQLite, which has no arrays, refuses instead of writing without atomicity', async () => {
    const db = t.services.database.db;
    await sql`create table together_a (id bigint primary key, label text, amount double precision not null)`.execute(db);
    await sql`create table together_b (id bigint primary key, label text not null, amount double precision not null)`.execute(db);
    if (t.services.database.dialect === 'sqlite') {
      expect(insertsTogether(db)).toBe(false);
      await expect(bulkInsertTogether(db, [{ table: 'together_a', columns: COLUMNS, rows: ROWS }])).rejects.toThrow('only PostgreSQL inserts rows as arrays');
      expect(await readBack('together_a')).toEqual([]);
      return;
    }
    expect(insertsTogether(db)).toBe(true);
    const statements = await statementsDuring(() =>
      bulkInsertTogether(db, [
        { table: 'together_a', columns: COLUMNS, rows: ROWS },
        { table: 'together_b', columns: COLUMNS, rows: ROWS.slice(0, 2), suffix: 'on conflict (id) do update set amount = excluded.amount + together_b.amount' },
      ]),
    );
    expect(statements.filter((text) => text.includes('together_'))).toHaveLength(1);
    expect(await readBack('together_a')).toEqual(ROWS);
    expect(await readBack('together_b')).toEqual(ROWS.slice(0, 2));

    // The second table refuses a row (its label may not be null): the first keeps none of its new rows.
    const more: [number, string | null, number][] = [[10, 'ten', 10]];
    await expect(
      bulkInsertTogether(db, [
        { table: 'together_a', columns: COLUMNS, rows: more },
        { table: 'together_b', columns: COLUMNS, rows: [[11, null, 11]] },
      ]),
    ).rejects.toMatchObject({ code: '23502' });
    expect(await readBack('together_a')).toEqual(ROWS);

    // Skipping duplicates over a statement of several tables: redone with the clause only where it is asked for.
    await insertSkippingDuplicates(db, (onConflict) =>
      bulkInsertTogether(db, [
        { table: 'together_a', columns: COLUMNS, rows: [ROWS[0]!, ...more], suffix: onConflict },
        { table: 'together_b', columns: COLUMNS, rows: ROWS.slice(0, 1), suffix: 'on conflict (id) do update set amount = excluded.amount + together_b.amount' },
      ]),
    );
    expect(await readBack('together_a')).toEqual([...ROWS, ...more]);
    expect(await readBack('together_b')).toEqual([[1, 'plain', 3], ROWS[1]]);
  });
});
