import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  const project = (c: Parameters<typeof notNull>[0]) => c.notNull().references('projects.id').onDelete('cascade');

  await db.schema
    .createTable('ci_settings')
    .addColumn('project_id', t.bigint, (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('repository_url', 'text')
    .addColumn('default_branch', 'text', (c) => c.notNull().defaultTo('main'))
    .addColumn('config_content', 'text')
    .addColumn('webhook_secret', 'text')
    .addColumn('protected_branches', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('registry_triggers', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('runners_token_hash', 'text')
    .addColumn('run_as_user_id', t.bigint)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('ci_settings_runners_token').on('ci_settings').column('runners_token_hash').unique().execute();

  await withId(db.schema.createTable('ci_variables'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('key', 'text', notNull)
    .addColumn('value', 'text', notNull)
    .addColumn('masked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('ci_variables_key').on('ci_variables').columns(['project_id', 'key']).unique().execute();

  await withId(db.schema.createTable('ci_triggers'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('token_hash', 'text', notNull)
    .addColumn('token_hint', 'text', notNull)
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', t.bigint, notNull)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('last_used_at', t.bigint)
    .execute();
  await db.schema.createIndex('ci_triggers_token').on('ci_triggers').column('token_hash').unique().execute();

  await withId(db.schema.createTable('ci_pipelines'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('iid', 'integer', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('source', 'text', notNull)
    .addColumn('ref', 'text', notNull)
    .addColumn('tag', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sha', 'text')
    .addColumn('before_sha', 'text')
    .addColumn('commit_title', 'text')
    .addColumn('config_source', 'text', notNull)
    .addColumn('yaml_errors', 'text')
    .addColumn('variables', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('trigger_event_id', t.bigint)
    .addColumn('model_version_id', t.bigint)
    .addColumn('user_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .addColumn('started_at', t.bigint)
    .addColumn('finished_at', t.bigint)
    .execute();
  await db.schema.createIndex('ci_pipelines_iid').on('ci_pipelines').columns(['project_id', 'iid']).unique().execute();
  // One pipeline per project and outbox event, whichever replica consumes the event first.
  await db.schema.createIndex('ci_pipelines_event').on('ci_pipelines').columns(['project_id', 'trigger_event_id']).unique().execute();
  await db.schema.createIndex('ci_pipelines_version').on('ci_pipelines').column('model_version_id').execute();

  await withId(db.schema.createTable('ci_jobs'), dialect)
    .addColumn('pipeline_id', t.bigint, (c) => c.notNull().references('ci_pipelines.id').onDelete('cascade'))
    .addColumn('project_id', t.bigint, project)
    .addColumn('name', 'text', notNull)
    .addColumn('stage', 'text', notNull)
    .addColumn('stage_index', 'integer', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('when', 'text', notNull)
    .addColumn('allow_failure', 'integer', notNull)
    .addColumn('needs', 'text', notNull)
    .addColumn('tags', 'text', notNull)
    .addColumn('spec', 'text', notNull)
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('retried', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('runner_id', t.bigint)
    .addColumn('token_hash', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('timeout_seconds', 'integer', notNull)
    .addColumn('trace_size', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('user_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('queued_at', t.bigint)
    .addColumn('started_at', t.bigint)
    .addColumn('finished_at', t.bigint)
    .addColumn('heartbeat_at', t.bigint)
    .execute();
  await db.schema.createIndex('ci_jobs_pipeline').on('ci_jobs').columns(['pipeline_id', 'id']).execute();
  await db.schema.createIndex('ci_jobs_status').on('ci_jobs').columns(['status', 'id']).execute();
  await db.schema.createIndex('ci_jobs_token').on('ci_jobs').column('token_hash').unique().execute();

  await db.schema
    .createTable('ci_job_trace_chunks')
    .addColumn('job_id', t.bigint, (c) => c.notNull().references('ci_jobs.id').onDelete('cascade'))
    .addColumn('offset', t.bigint, notNull)
    .addColumn('content', 'text', notNull)
    .addPrimaryKeyConstraint('ci_job_trace_chunks_pk', ['job_id', 'offset'])
    .execute();

  await db.schema
    .createTable('ci_job_artifacts')
    .addColumn('job_id', t.bigint, (c) => c.notNull().references('ci_jobs.id').onDelete('cascade'))
    .addColumn('path', 'text', notNull)
    .addColumn('size', t.bigint, notNull)
    .addColumn('sha256', 'text', notNull)
    .addColumn('store_key', 'text', notNull)
    .addColumn('expire_at', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addPrimaryKeyConstraint('ci_job_artifacts_pk', ['job_id', 'path'])
    .execute();

  await withId(db.schema.createTable('ci_runners'), dialect)
    .addColumn('token_hash', 'text', notNull)
    .addColumn('token_hint', 'text', notNull)
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('runner_type', 'text', notNull)
    .addColumn('project_id', t.bigint, (c) => c.references('projects.id').onDelete('cascade'))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('run_untagged', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('info', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('ip', 'text')
    .addColumn('contacted_at', t.bigint)
    .addColumn('creator_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('ci_runners_token').on('ci_runners').column('token_hash').unique().execute();

  await withId(db.schema.createTable('model_version_evaluations'), dialect)
    .addColumn('version_id', t.bigint, (c) => c.notNull().references('model_versions.id').onDelete('cascade'))
    .addColumn('metrics', 'text', notNull)
    .addColumn('dataset', 'text')
    .addColumn('passed', 'integer')
    .addColumn('thresholds', 'text')
    .addColumn('job_id', t.bigint)
    .addColumn('pipeline_id', t.bigint)
    .addColumn('author_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('model_version_evaluations_version').on('model_version_evaluations').columns(['version_id', 'id']).execute();
}
