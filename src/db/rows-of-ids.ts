import { PostgresAdapter, sql, type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Schema } from './schema.ts';

/** Under SQLite's default limit of bound variables per statement. */
const SQLITE_CHUNK = 900;

// The builder's table and selection types vary per caller; only its result row type matters here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type QueryOfIds<T> = (matches: Expression<SqlBool>) => SelectQueryBuilder<any, any, T>;

/**
 * The rows a query finds for many ids (a page's params, tags, versions…): `query` is given the
 * condition "`column` is one of the ids" and returns its select, unexecuted. Each id's rows come
 * in the query's order; rows of different ids may interleave differently by database, so
 * callers group them by id.
 *
 * On PostgreSQL in one statement whatever the count, each id looked up through the index: the
 * ids travel as one array, joined laterally to the query and fenced by `offset 0` so the
 * planner cannot turn it back into a join. Given `column = any($1)` with a thousand ids, it read
 * whole tables instead (sequential scans with parallel workers): 11–48 ms per child table of a
 * 1,000-run search over 100,000 runs, against 2–5 ms looked up (docs/benchmarks.md, issue 23).
 * SQLite binds no arrays, so it reads chunks under its bound-variable limit.
 */
export async function rowsOfIds<T>(db: Kysely<Schema>, column: string, ids: readonly number[], query: QueryOfIds<T>): Promise<T[]> {
  if (ids.length === 0) return [];
  if (db.getExecutor().adapter instanceof PostgresAdapter) return (await lookedUpOneByOne(column, ids, query).execute(db)).rows;
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += SQLITE_CHUNK) out.push(...(await query(sql<SqlBool>`${sql.ref(column)} in (${sql.join(ids.slice(i, i + SQLITE_CHUNK))})`).execute()));
  return out;
}

/** PostgreSQL's statement for `rowsOfIds` (exported for the test that reads its plan). */
export function lookedUpOneByOne<T>(column: string, ids: readonly number[], query: QueryOfIds<T>): RawBuilder<T> {
  const perId = query(sql<SqlBool>`${sql.ref(column)} = wanted_ids.id`).modifyEnd(sql`offset 0`);
  return sql<T>`select found.* from unnest(${[...ids]}::int8[]) as wanted_ids(id) cross join lateral ${perId} as found`;
}
