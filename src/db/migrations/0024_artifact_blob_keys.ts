import { sql } from 'kysely';
import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Run and logged-model artifacts get a store key of their own, fresh for every upload, instead
 * of one derived from their path: uploading a file again no longer writes over the bytes that a
 * backup in progress, or a reader that looked the file up a moment earlier, is reading. Existing
 * rows keep the key their bytes are stored under.
 *
 * Blobs are no longer deleted as their rows go: the key is queued in the same transaction and a
 * background sweep deletes it later, never while a backup holds deletions
 * (src/storage/blob-deletions.ts).
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .alterTable('artifacts')
    .addColumn('store_key', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`update artifacts set store_key = 'projects/' || cast(project_id as text) || '/artifacts/' || path`.execute(db);
  await withId(db.schema.createTable('blob_deletions'), dialect)
    .addColumn('store_key', 'text', notNull)
    /** 1: every blob whose key starts with `store_key` (a deleted project's folder). */
    .addColumn('whole_prefix', 'integer', notNull)
    .addColumn('requested_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('blob_deletions_by_request').on('blob_deletions').column('requested_at').execute();
}
