import { columnTypes, notNull, sql, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/** The latency histogram's buckets (ms): 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, +Inf. */
const LATENCY_BUCKET_COLUMNS = 13;

/**
 * Deployments (issue 17): environments and their deployments, protection rules and approvals,
 * serving agents and what they report, the gateway's per-variant metrics and feedback, and
 * the `resource_group` of CI jobs.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  const project = (c: Parameters<typeof notNull>[0]) => c.notNull().references('projects.id').onDelete('cascade');

  await withId(db.schema.createTable('environments'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('name', 'text', notNull)
    .addColumn('slug', 'text', notNull)
    .addColumn('tier', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('external_url', 'text')
    .addColumn('routing', 'text', (c) => c.notNull().defaultTo('gateway'))
    .addColumn('target', 'text', (c) => c.notNull().defaultTo('agent'))
    .addColumn('agent_labels', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('timeout_ms', 'integer', (c) => c.notNull().defaultTo(30_000))
    .addColumn('command', 'text')
    .addColumn('current_deployment_id', t.bigint)
    .addColumn('serving_deployment_id', t.bigint)
    .addColumn('auto_stop_at', t.bigint)
    .addColumn('on_stop', 'text')
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('environments_name').on('environments').columns(['project_id', 'name']).unique().execute();
  await db.schema.createIndex('environments_slug').on('environments').columns(['project_id', 'slug']).unique().execute();

  await withId(db.schema.createTable('deployments'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('environment_id', t.bigint, (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('iid', 'integer', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('ref', 'text', notNull)
    .addColumn('sha', 'text')
    .addColumn('user_id', t.bigint)
    .addColumn('user_username', 'text')
    .addColumn('user_name', 'text')
    .addColumn('deployable_job_id', t.bigint)
    .addColumn('policy', 'text', notNull)
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('rollback_of', t.bigint)
    .addColumn('previous_deployment_id', t.bigint)
    .addColumn('lineage_id', t.bigint)
    .addColumn('required_approvals', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .addColumn('finished_at', t.bigint)
    .execute();
  await db.schema.createIndex('deployments_iid').on('deployments').columns(['project_id', 'iid']).unique().execute();
  await db.schema.createIndex('deployments_environment').on('deployments').columns(['environment_id', 'id']).execute();
  await db.schema.createIndex('deployments_job').on('deployments').column('deployable_job_id').execute();

  await db.schema
    .createTable('deployment_variants')
    .addColumn('deployment_id', t.bigint, (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('position', 'integer', notNull)
    .addColumn('name', 'text', notNull)
    .addColumn('model_id', t.bigint, notNull)
    .addColumn('model_name', 'text', notNull)
    .addColumn('version_id', t.bigint, notNull)
    .addColumn('version', 'integer', notNull)
    .addColumn('semver', 'text', notNull)
    .addColumn('weight', 'integer', notNull)
    .addColumn('role', 'text', notNull)
    .addColumn('shadow_share', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('deployment_variants_pk', ['deployment_id', 'name'])
    .execute();
  await db.schema.createIndex('deployment_variants_version').on('deployment_variants').column('version_id').execute();

  await withId(db.schema.createTable('deployment_approvals'), dialect)
    .addColumn('deployment_id', t.bigint, (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('user_id', t.bigint, notNull)
    .addColumn('username', 'text', notNull)
    .addColumn('user_name', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('deployment_approvals_user').on('deployment_approvals').columns(['deployment_id', 'user_id']).unique().execute();

  await withId(db.schema.createTable('protected_environments'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('name', 'text', notNull)
    .addColumn('required_approval_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deploy_access_levels', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('approval_rules', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('protected_environments_name').on('protected_environments').columns(['project_id', 'name']).unique().execute();

  await db.schema
    .createTable('deployment_settings')
    .addColumn('project_id', t.bigint, (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('require_approved_versions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', t.bigint, notNull)
    .execute();

  await withId(db.schema.createTable('serving_agents'), dialect)
    .addColumn('token_hash', 'text', notNull)
    .addColumn('token_hint', 'text', notNull)
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('labels', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('reported_labels', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('project_id', t.bigint, (c) => c.references('projects.id').onDelete('cascade'))
    .addColumn('creator_id', t.bigint)
    .addColumn('info', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('ip', 'text')
    .addColumn('contacted_at', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('serving_agents_token').on('serving_agents').column('token_hash').unique().execute();

  await db.schema
    .createTable('agent_instances')
    .addColumn('agent_id', t.bigint, (c) => c.notNull().references('serving_agents.id').onDelete('cascade'))
    .addColumn('instance_id', 'text', notNull)
    .addColumn('environment_id', t.bigint, (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('version_id', t.bigint, notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('endpoint', 'text')
    .addColumn('restarts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reported_at', t.bigint, notNull)
    .addPrimaryKeyConstraint('agent_instances_pk', ['agent_id', 'instance_id'])
    .execute();
  await db.schema.createIndex('agent_instances_environment').on('agent_instances').column('environment_id').execute();

  // One row per deployment, variant and 10-second window; replicas add to it (upsert-increment).
  let metrics = db.schema
    .createTable('serving_metrics')
    .addColumn('deployment_id', t.bigint, (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('variant', 'text', notNull)
    .addColumn('window_start', t.bigint, notNull)
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mismatches', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('latency_sum_ms', t.double, (c) => c.notNull().defaultTo(0));
  for (let i = 0; i < LATENCY_BUCKET_COLUMNS; i++) metrics = metrics.addColumn(`bucket_${i}`, 'integer', (c) => c.notNull().defaultTo(0));
  await metrics.addPrimaryKeyConstraint('serving_metrics_pk', ['deployment_id', 'variant', 'window_start']).execute();

  await db.schema
    .createTable('serving_feedback')
    .addColumn('lineage_id', t.bigint, (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('variant', 'text', notNull)
    .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('successes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sum', t.double, (c) => c.notNull().defaultTo(0))
    .addColumn('sum_squares', t.double, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('serving_feedback_pk', ['lineage_id', 'variant'])
    .execute();

  await db.schema.alterTable('ci_jobs').addColumn('resource_group', 'text').execute();
  await db.schema.createIndex('ci_jobs_resource_group').on('ci_jobs').columns(['project_id', 'resource_group', 'status']).execute();
  // One running job per project and resource group, whichever replica hands it out: a second
  // claim in the group breaks this index and is given up (src/pipelines/job-queue.ts).
  await db.schema
    .createIndex('ci_jobs_one_running_per_group')
    .on('ci_jobs')
    .columns(['project_id', 'resource_group'])
    .unique()
    .where(sql<boolean>`status = 'running' and resource_group is not null`)
    .execute();
}
