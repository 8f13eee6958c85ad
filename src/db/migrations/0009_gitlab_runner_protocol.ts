import { columnTypes, notNull, sql, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * GitLab's runner protocol: job artifacts stored as the archives the runner uploads (one row per
 * job and artifact type, as GitLab's `ci_job_artifacts`), job logs stored as the bytes the runner
 * sent, and a handed-out job's confirmation, so that a job no runner confirmed goes back to the
 * queue. The per-file artifacts of earlier versions stay readable in their own table.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema.alterTable('ci_jobs').addColumn('confirmed_at', t.bigint).execute();
  await db.schema
    .alterTable('ci_jobs')
    .addColumn('pickups', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Jobs running at the upgrade were taken by the previous protocol's runners: confirmed.
  await sql`update ci_jobs set confirmed_at = started_at, pickups = 1 where status = 'running'`.execute(db);

  await db.schema
    .alterTable('ci_job_trace_chunks')
    .addColumn('data', dialect === 'sqlite' ? 'blob' : sql`bytea`)
    .execute();

  await db.schema.alterTable('ci_job_artifacts').renameTo('ci_job_artifact_legacy_files').execute();
  await withId(db.schema.createTable('ci_job_artifacts'), dialect)
    .addColumn('job_id', t.bigint, (c) => c.notNull().references('ci_jobs.id').onDelete('cascade'))
    .addColumn('project_id', t.bigint, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('file_type', 'text', notNull)
    .addColumn('file_format', 'text', notNull)
    .addColumn('filename', 'text', notNull)
    .addColumn('size', t.bigint, notNull)
    .addColumn('sha256', 'text', notNull)
    .addColumn('store_key', 'text', notNull)
    .addColumn('report', 'text')
    .addColumn('expire_at', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('ci_job_artifacts_job_type').on('ci_job_artifacts').columns(['job_id', 'file_type']).unique().execute();
  await db.schema.createIndex('ci_job_artifacts_expiry').on('ci_job_artifacts').column('expire_at').execute();
}
