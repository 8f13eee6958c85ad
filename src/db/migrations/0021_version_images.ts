import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Container images built of model versions (issue 18): each row is one image a CI job (or a
 * person) built from the version's image context, by its manifest digest, with its size, the
 * base it was built on and the reference it was tagged with. A version holds an image once.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await withId(db.schema.createTable('model_version_images'), dialect)
    .addColumn('version_id', t.bigint, (c) => c.notNull().references('model_versions.id').onDelete('cascade'))
    .addColumn('digest', 'text', notNull)
    .addColumn('size', t.bigint, notNull)
    .addColumn('base', 'text', notNull)
    .addColumn('reference', 'text', notNull)
    .addColumn('tags', 'text', notNull)
    .addColumn('built_at', t.bigint, notNull)
    .addColumn('job_id', t.bigint)
    .addColumn('author_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addUniqueConstraint('model_version_images_digest', ['version_id', 'digest'])
    .execute();
}
