import { columnTypes, notNull, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * KServe targets (issue 18): the Kubernetes namespace an environment is bound to, with the
 * API server's URL, its CA and a bearer token (the last two sealed), and what the last apply
 * said when it failed (shown in the environment's health until an apply succeeds).
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('kubernetes_targets')
    .addColumn('environment_id', t.bigint, (c) => c.primaryKey().references('environments.id').onDelete('cascade'))
    .addColumn('api_url', 'text', notNull)
    .addColumn('namespace', 'text', notNull)
    .addColumn('ca_pem', 'text')
    .addColumn('token', 'text', notNull)
    .addColumn('service_account', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
}
