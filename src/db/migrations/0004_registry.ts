import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  const project = (c: Parameters<typeof notNull>[0]) => c.notNull().references('projects.id').onDelete('cascade');
  const model = (c: Parameters<typeof notNull>[0]) => c.notNull().references('registered_models.id').onDelete('cascade');
  const version = (c: Parameters<typeof notNull>[0]) => c.notNull().references('model_versions.id').onDelete('cascade');

  await withId(db.schema.createTable('registered_models'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('name', 'text', notNull)
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('card', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('creator_id', t.bigint)
    .addColumn('updater_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('registered_models_name').on('registered_models').columns(['project_id', 'name']).unique().execute();
  await db.schema.createIndex('registered_models_updated').on('registered_models').columns(['project_id', 'updated_at']).execute();

  await withId(db.schema.createTable('model_versions'), dialect)
    .addColumn('model_id', t.bigint, model)
    .addColumn('version', 'integer', notNull)
    .addColumn('semver', 'text', notNull)
    .addColumn('semver_major', 'integer', notNull)
    .addColumn('semver_minor', 'integer', notNull)
    .addColumn('semver_patch', 'integer', notNull)
    .addColumn('semver_prerelease', 'text', notNull)
    .addColumn('source', 'text', notNull)
    .addColumn('source_kind', 'text', notNull)
    .addColumn('run_id', 'text')
    .addColumn('logged_model_id', 'text')
    .addColumn('status', 'text', notNull)
    .addColumn('status_message', 'text')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('card', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('current_stage', 'text', (c) => c.notNull().defaultTo('None'))
    .addColumn('approval_status', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('user_id', 'text', notNull)
    .addColumn('creator_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('model_versions_version').on('model_versions').columns(['model_id', 'version']).unique().execute();
  await db.schema.createIndex('model_versions_semver').on('model_versions').columns(['model_id', 'semver']).unique().execute();
  await db.schema.createIndex('model_versions_run').on('model_versions').column('run_id').execute();

  for (const [table, owner, ownerRef] of [
    ['model_tags', 'model_id', model],
    ['version_tags', 'version_id', version],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn(owner, t.bigint, ownerRef)
      .addColumn('key', 'text', notNull)
      .addColumn('value', 'text', notNull)
      .addPrimaryKeyConstraint(`${table}_pk`, [owner, 'key'])
      .execute();
  }

  await db.schema
    .createTable('model_aliases')
    .addColumn('model_id', t.bigint, model)
    .addColumn('alias', 'text', notNull)
    .addColumn('version_id', t.bigint, version)
    .addColumn('updated_at', t.bigint, notNull)
    .addPrimaryKeyConstraint('model_aliases_pk', ['model_id', 'alias'])
    .execute();

  await db.schema.createTable('model_labels').addColumn('model_id', t.bigint, model).addColumn('label', 'text', notNull).addPrimaryKeyConstraint('model_labels_pk', ['model_id', 'label']).execute();
  await db.schema
    .createTable('version_labels')
    .addColumn('version_id', t.bigint, version)
    .addColumn('label', 'text', notNull)
    .addPrimaryKeyConstraint('version_labels_pk', ['version_id', 'label'])
    .execute();

  await db.schema
    .createTable('registry_settings')
    .addColumn('project_id', t.bigint, (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('required_approvals', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('protected_aliases', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();

  await withId(db.schema.createTable('approval_requests'), dialect)
    .addColumn('version_id', t.bigint, version)
    .addColumn('requester_id', t.bigint, notNull)
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', notNull)
    .addColumn('required_approvals', 'integer', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('resolved_at', t.bigint)
    .execute();
  await db.schema.createIndex('approval_requests_version').on('approval_requests').columns(['version_id', 'id']).execute();

  await withId(db.schema.createTable('approval_decisions'), dialect)
    .addColumn('request_id', t.bigint, (c) => c.notNull().references('approval_requests.id').onDelete('cascade'))
    .addColumn('approver_id', t.bigint, notNull)
    .addColumn('decision', 'text', notNull)
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', t.bigint, notNull)
    .execute();

  await withId(db.schema.createTable('webhooks'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('url', 'text', notNull)
    .addColumn('secret', 'text', notNull)
    .addColumn('events', 'text', notNull)
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('creator_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .execute();

  await withId(db.schema.createTable('webhook_deliveries'), dialect)
    .addColumn('webhook_id', t.bigint, (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('event_id', t.bigint, notNull)
    .addColumn('event_type', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', t.bigint, notNull)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_event').on('webhook_deliveries').columns(['webhook_id', 'event_id']).unique().execute();

  await withId(db.schema.createTable('webhook_attempts'), dialect)
    .addColumn('delivery_id', t.bigint, (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .execute();

  await db.schema
    .createTable('event_cursors')
    .addColumn('consumer', 'text', (c) => c.primaryKey())
    .addColumn('last_event_id', t.bigint, notNull)
    .execute();
}
