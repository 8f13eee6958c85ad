import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Import jobs (issue 19; issue 18's Vertex AI import reuses them): a background job that copies
 * a model from elsewhere into a new version, one row per job (its kind, its source as JSON, its
 * state and progress, the source's credential sealed) and one row per file, which is what makes
 * a job resumable: a file whose row says done is not fetched again, and a file cut in the middle
 * continues after the parts already stored (a multipart upload in the blob store).
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await withId(db.schema.createTable('import_jobs'), dialect)
    .addColumn('project_id', t.bigint, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('kind', 'text', notNull)
    .addColumn('source', 'text', notNull)
    .addColumn('source_key', 'text', notNull)
    .addColumn('model_name', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('credential', 'text')
    .addColumn('files_total', t.bigint)
    .addColumn('bytes_total', t.bigint)
    .addColumn('files_done', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_done', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('version_id', t.bigint)
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', t.bigint)
    .addColumn('creator_id', t.bigint)
    .addColumn('started_at', t.bigint)
    .addColumn('run_started_at', t.bigint)
    .addColumn('run_bytes_start', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('finished_at', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('import_jobs_by_project').on('import_jobs').columns(['project_id', 'id']).execute();
  await db.schema.createIndex('import_jobs_by_source').on('import_jobs').columns(['project_id', 'source_key']).execute();
  await db.schema.createIndex('import_jobs_by_state').on('import_jobs').columns(['state', 'lease_until']).execute();
  await db.schema
    .createTable('import_job_files')
    .addColumn('job_id', t.bigint, (c) => c.notNull().references('import_jobs.id').onDelete('cascade'))
    .addColumn('path', 'text', notNull)
    .addColumn('size', t.bigint, notNull)
    .addColumn('sha256', 'text')
    .addColumn('upload_key', 'text')
    .addColumn('upload_id', 'text')
    .addColumn('parts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('bytes_done', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('stored_sha256', 'text')
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('import_job_files_pk', ['job_id', 'path'])
    .execute();
}
