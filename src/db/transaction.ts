import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

/**
 * Runs `work` in a transaction, joining the caller's when `db` already is one. SQLite has one
 * connection: a query issued outside an open transaction would wait for it forever, so every
 * step of a unit of work must use the same handle.
 */
export async function inTransaction<T>(db: Kysely<Schema>, work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}
