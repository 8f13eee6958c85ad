import { columnTypes, notNull, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Vertex AI targets (issue 18): the Google Cloud project and location an environment deploys
 * to, where its versions' files are staged in Cloud Storage, the machines its deployed models
 * run on, the service-account key (sealed), and the API endpoints when they are not Google's
 * public ones. Each version uploaded there is remembered as the Vertex model it became, so a
 * canary step or a rollback deploys it again without uploading it twice.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('vertex_targets')
    .addColumn('environment_id', t.bigint, (c) => c.primaryKey().references('environments.id').onDelete('cascade'))
    .addColumn('gcp_project', 'text', notNull)
    .addColumn('location', 'text', notNull)
    .addColumn('staging_uri', 'text', notNull)
    .addColumn('machine_type', 'text', notNull)
    .addColumn('min_replicas', 'integer', notNull)
    .addColumn('max_replicas', 'integer', notNull)
    .addColumn('api_url', 'text')
    .addColumn('storage_url', 'text')
    .addColumn('service_account_key', 'text', notNull)
    .addColumn('last_error', 'text')
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema
    .createTable('vertex_target_models')
    .addColumn('environment_id', t.bigint, (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('version_id', t.bigint, (c) => c.notNull().references('model_versions.id').onDelete('cascade'))
    .addColumn('model_name', 'text', notNull)
    .addColumn('artifact_uri', 'text', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .addPrimaryKeyConstraint('vertex_target_models_pkey', ['environment_id', 'version_id'])
    .execute();
}
