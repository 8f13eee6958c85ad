import { columnTypes, notNull, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Leases on shared background work (an outbox consumer, one webhook's deliveries): the replica
 * holding one does that work until the lease runs out, so replicas split the work instead of
 * all doing it and racing on unique keys.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('work_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', notNull)
    .addColumn('expires_at', t.bigint, notNull)
    .execute();
}
