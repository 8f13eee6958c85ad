import { columnTypes, notNull, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Google Cloud for a project (issue 18): its service-account key, set once per project (the
 * Google Cloud integration, sealed) for imports and Vertex AI environments that are given none
 * of their own. Vertex AI targets: the Google Cloud project and location an environment
 * deploys to, where its versions' files are staged in Cloud Storage, the machines its deployed
 * models run on, its own key (sealed; null: the project's integration's), and the API
 * endpoints when they are not Google's public ones. Each version uploaded there is remembered
 * as the Vertex model it became, so a canary step or a rollback deploys it again without
 * uploading it twice.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('google_cloud_integrations')
    .addColumn('project_id', t.bigint, (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('service_account_key', 'text', notNull)
    .addColumn('client_email', 'text', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
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
    .addColumn('service_account_key', 'text')
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
