import { columnTypes, notNull, sql, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  const project = (c: Parameters<typeof notNull>[0]) => c.notNull().references('projects.id').onDelete('cascade');

  await withId(db.schema.createTable('experiments'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('name', 'text', notNull)
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('creation_time', t.bigint, notNull)
    .addColumn('last_update_time', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('experiments_project_name').on('experiments').columns(['project_id', 'name']).unique().execute();

  await db.schema
    .createTable('experiment_tags')
    .addColumn('experiment_id', t.bigint, (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('key', 'text', notNull)
    .addColumn('value', 'text', notNull)
    .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
    .execute();

  await withId(db.schema.createTable('runs'), dialect)
    .addColumn('uuid', 'text', notNull)
    .addColumn('project_id', t.bigint, project)
    .addColumn('experiment_id', t.bigint, (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('name', 'text', notNull)
    .addColumn('user_id', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('start_time', t.bigint, notNull)
    .addColumn('end_time', t.bigint)
    .addColumn('artifact_uri', 'text', notNull)
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('deleted_time', t.bigint)
    .addColumn('creator_id', t.bigint)
    .addColumn('job_id', t.bigint)
    .execute();
  await db.schema.createIndex('runs_uuid').on('runs').column('uuid').unique().execute();
  // The default order of search_runs: newest first within an experiment.
  await db.schema.createIndex('runs_experiment_start').on('runs').columns(['experiment_id', 'lifecycle_stage', 'start_time', 'uuid']).execute();

  // Child tables are clustered by run on SQLite (WITHOUT ROWID), so a run's rows sit together.
  const clustered = dialect === 'sqlite' ? sql`without rowid` : sql``;
  for (const table of ['run_params', 'run_tags'] as const) {
    await db.schema
      .createTable(table)
      .addColumn('run_id', t.bigint, (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('key', 'text', notNull)
      .addColumn('value', 'text', notNull)
      .addPrimaryKeyConstraint(`${table}_pk`, ['run_id', 'key'])
      .modifyEnd(clustered)
      .execute();
    await db.schema.createIndex(`${table}_key_value`).on(table).columns(['key', 'value']).execute();
  }

  // Foreign keys are left off the metric tables: checking one per inserted point would halve
  // ingest speed, and points are removed with their run by the run-deletion code.
  await db.schema
    .createTable('metrics')
    .addColumn('run_id', t.bigint, notNull)
    .addColumn('key', 'text', notNull)
    .addColumn('step', t.bigint, notNull)
    .addColumn('timestamp', t.bigint, notNull)
    .addColumn('value', t.double, notNull)
    .addColumn('is_nan', 'integer', notNull)
    .addPrimaryKeyConstraint('metrics_pk', ['run_id', 'key', 'step', 'timestamp', 'value', 'is_nan'])
    .modifyEnd(clustered)
    .execute();

  await db.schema
    .createTable('latest_metrics')
    .addColumn('run_id', t.bigint, notNull)
    .addColumn('key', 'text', notNull)
    .addColumn('step', t.bigint, notNull)
    .addColumn('timestamp', t.bigint, notNull)
    .addColumn('value', t.double, notNull)
    .addColumn('is_nan', 'integer', notNull)
    .addPrimaryKeyConstraint('latest_metrics_pk', ['run_id', 'key'])
    .modifyEnd(clustered)
    .execute();
  // Filters and sorts on one metric across many runs read this index.
  await db.schema.createIndex('latest_metrics_key_value').on('latest_metrics').columns(['key', 'value', 'run_id']).execute();

  await db.schema
    .createTable('metric_rollups')
    .addColumn('run_id', t.bigint, notNull)
    .addColumn('key', 'text', notNull)
    .addColumn('level', 'integer', notNull)
    .addColumn('bucket', t.bigint, notNull)
    .addColumn('min_step', t.bigint, notNull)
    .addColumn('min_value', t.double, notNull)
    .addColumn('min_timestamp', t.bigint, notNull)
    .addColumn('max_step', t.bigint, notNull)
    .addColumn('max_value', t.double, notNull)
    .addColumn('max_timestamp', t.bigint, notNull)
    .addPrimaryKeyConstraint('metric_rollups_pk', ['run_id', 'key', 'level', 'bucket'])
    .modifyEnd(clustered)
    .execute();

  await withId(db.schema.createTable('datasets'), dialect)
    .addColumn('experiment_id', t.bigint, (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('name', 'text', notNull)
    .addColumn('digest', 'text', notNull)
    .addColumn('source_type', 'text', notNull)
    .addColumn('source', 'text', notNull)
    .addColumn('schema', 'text')
    .addColumn('profile', 'text')
    .execute();
  await db.schema.createIndex('datasets_identity').on('datasets').columns(['experiment_id', 'name', 'digest']).unique().execute();

  await db.schema
    .createTable('run_inputs')
    .addColumn('run_id', t.bigint, (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('dataset_id', t.bigint, (c) => c.notNull().references('datasets.id').onDelete('cascade'))
    .addColumn('tags', 'text', notNull)
    .addColumn('context', 'text')
    .addPrimaryKeyConstraint('run_inputs_pk', ['run_id', 'dataset_id'])
    .execute();

  await db.schema
    .createTable('run_outputs')
    .addColumn('run_id', t.bigint, (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('model_id', 'text', notNull)
    .addColumn('step', t.bigint, notNull)
    .addPrimaryKeyConstraint('run_outputs_pk', ['run_id', 'model_id'])
    .execute();

  await db.schema
    .createTable('logged_models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', t.bigint, project)
    .addColumn('experiment_id', t.bigint, (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('name', 'text', notNull)
    .addColumn('model_type', 'text')
    .addColumn('source_run_id', 'text')
    .addColumn('status', 'text', notNull)
    .addColumn('status_message', 'text')
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('creation_timestamp', t.bigint, notNull)
    .addColumn('last_updated_timestamp', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('logged_models_experiment').on('logged_models').columns(['experiment_id', 'creation_timestamp']).execute();

  for (const table of ['logged_model_params', 'logged_model_tags'] as const) {
    await db.schema
      .createTable(table)
      .addColumn('model_id', 'text', (c) => c.notNull().references('logged_models.id').onDelete('cascade'))
      .addColumn('key', 'text', notNull)
      .addColumn('value', 'text', notNull)
      .addPrimaryKeyConstraint(`${table}_pk`, ['model_id', 'key'])
      .execute();
  }

  await db.schema
    .createTable('logged_model_metrics')
    .addColumn('model_id', 'text', (c) => c.notNull().references('logged_models.id').onDelete('cascade'))
    .addColumn('key', 'text', notNull)
    .addColumn('value', t.double, notNull)
    .addColumn('is_nan', 'integer', notNull)
    .addColumn('timestamp', t.bigint, notNull)
    .addColumn('step', t.bigint, notNull)
    .addColumn('run_id', 'text')
    .addColumn('dataset_name', 'text')
    .addColumn('dataset_digest', 'text')
    .execute();
  await db.schema.createIndex('logged_model_metrics_model').on('logged_model_metrics').columns(['model_id', 'key']).execute();
}
