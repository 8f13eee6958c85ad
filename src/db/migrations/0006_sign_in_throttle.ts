import { columnTypes, notNull, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * One row per throttle key (an account from an address, an address, an account): a counter
 * that a single upsert increments, so concurrent sign-ins on every replica share it exactly.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('sign_in_attempts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('attempts', 'integer', notNull)
    .addColumn('window_started_at', t.bigint, notNull)
    .addColumn('blocked_until', t.bigint, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('sign_in_attempts_window').on('sign_in_attempts').column('window_started_at').execute();
}
