import { columnTypes, notNull, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Resumable multipart uploads of package files (issue 21): a session names the file it will
 * become, its declared size and SHA-256, and the part size; each part the server accepted (its
 * own SHA-256 checked) is a row, so a client that was interrupted asks which parts are done.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('package_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', t.bigint, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('package_type', 'text', notNull)
    .addColumn('package_name', 'text', notNull)
    .addColumn('package_version', 'text', notNull)
    .addColumn('file_name', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('size', t.bigint, notNull)
    .addColumn('sha256', 'text')
    .addColumn('part_size', t.bigint, notNull)
    .addColumn('store_key', 'text', notNull)
    .addColumn('store_upload_id', 'text', notNull)
    .addColumn('creator_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('expires_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('package_uploads_by_expiry').on('package_uploads').column('expires_at').execute();
  await db.schema
    .createTable('package_upload_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull().references('package_uploads.id').onDelete('cascade'))
    .addColumn('part_number', 'integer', notNull)
    .addColumn('size', t.bigint, notNull)
    .addColumn('sha256', 'text', notNull)
    .addColumn('etag', 'text', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .addPrimaryKeyConstraint('package_upload_parts_pk', ['upload_id', 'part_number'])
    .execute();
}
