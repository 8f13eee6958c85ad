import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  const project = (c: Parameters<typeof notNull>[0]) => c.notNull().references('projects.id').onDelete('cascade');

  await db.schema
    .createTable('artifacts')
    .addColumn('project_id', t.bigint, project)
    .addColumn('path', 'text', notNull)
    .addColumn('size', t.bigint, notNull)
    .addColumn('sha256', 'text', notNull)
    .addColumn('creator_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addPrimaryKeyConstraint('artifacts_pk', ['project_id', 'path'])
    .execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', t.bigint, project)
    .addColumn('target', 'text', notNull)
    .addColumn('store_key', 'text', notNull)
    .addColumn('store_upload_id', 'text', notNull)
    .addColumn('secret_hash', 'text', notNull)
    .addColumn('num_parts', 'integer', notNull)
    .addColumn('creator_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('expires_at', t.bigint, notNull)
    .execute();

  await withId(db.schema.createTable('packages'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('package_type', 'text', notNull)
    .addColumn('name', 'text', notNull)
    .addColumn('version', 'text', notNull)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('default'))
    .addColumn('creator_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('packages_identity').on('packages').columns(['project_id', 'package_type', 'name', 'version']).unique().execute();

  await withId(db.schema.createTable('package_files'), dialect)
    .addColumn('package_id', t.bigint, (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('file_name', 'text', notNull)
    .addColumn('size', t.bigint, notNull)
    .addColumn('sha256', 'text', notNull)
    .addColumn('store_key', 'text', notNull)
    .addColumn('creator_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('package_files_name').on('package_files').columns(['package_id', 'file_name']).unique().execute();
}
