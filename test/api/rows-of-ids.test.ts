import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkInsert } from '../../src/db/bulk-insert.ts';
import { lookedUpOneByOne, rowsOfIds } from '../../src/db/rows-of-ids.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { TEST_DIALECT } from '../support/database.ts';

// latest_metrics carries no foreign key, so rows of made-up run ids can stand in for a large project.
const FIRST_ID = 9_000_000_000;
const RUNS = 20_000;
const KEYS = ['a', 'b', 'c'];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  const db = t.services.database.db;
  const rows: unknown[][] = [];
  for (let i = 0; i < RUNS; i++) for (const key of KEYS) rows.push([FIRST_ID + i, key, 0, 0, i, 0]);
  for (let i = 0; i < rows.length; i += 1000) await bulkInsert(db, 'latest_metrics', ['run_id', 'key', 'step', 'timestamp', 'value', 'is_nan'], rows.slice(i, i + 1000));
  if (TEST_DIALECT === 'postgres') await sql`analyze latest_metrics`.execute(db);
}, 120_000);
afterAll(async () => {
  await t?.services.database.db.deleteFrom('latest_metrics').where('run_id', '>=', FIRST_ID).execute();
  await t?.close();
});

const query = (matches: Parameters<Parameters<typeof rowsOfIds>[3]>[0]) => t.services.database.db.selectFrom('latest_metrics').select(['run_id', 'key']).where(matches).orderBy('key', 'desc');

describe('rows of many ids', () => {
  it("answers every row of each id asked for (more than one SQLite chunk), each id's rows in the query's order", async () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => FIRST_ID + i * 7);
    const rows = await rowsOfIds(t.services.database.db, 'run_id', [...ids, FIRST_ID + RUNS + 5], query);
    expect(rows).toHaveLength(ids.length * KEYS.length);
    const byId = new Map<number, string[]>();
    for (const row of rows) byId.set(Number(row.run_id), [...(byId.get(Number(row.run_id)) ?? []), row.key]);
    expect([...byId.keys()].sort()).toEqual([...ids].sort());
    for (const keys of byId.values()) expect(keys).toEqual(['c', 'b', 'a']);
  });

  it('answers nothing for no ids', async () => {
    expect(await rowsOfIds(t.services.database.db, 'run_id', [], query)).toEqual([]);
  });

  it.runIf(TEST_DIALECT === 'postgres')('looks each id up through the index on PostgreSQL, where `= any` of a thousand ids read the whole table', async () => {
    const db = t.services.database.db;
    const ids = Array.from({ length: 1_000 }, (_, i) => FIRST_ID + i * 13);
    const plan = async (statement: { compile: (d: typeof db) => { sql: string; parameters: readonly unknown[] } }) => {
      const compiled = statement.compile(db);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(compiled.sql.replace(/\$1\b/, `'{${ids.join(',')}}'`))}`.execute(db);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const lookedUp = await plan(lookedUpOneByOne('run_id', ids, query));
    expect(lookedUp).toMatch(/Index (Only )?Scan (Backward )?using latest_metrics_pk/);
    expect(lookedUp).not.toMatch(/Seq Scan on latest_metrics/);
    // What the statement replaced, on the same data: the planner reads the whole table.
    const any = await plan(query(sql`run_id = any($1::int8[])`));
    expect(any).toMatch(/Seq Scan on latest_metrics/);
  });
});
