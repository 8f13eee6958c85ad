import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);

  await withId(db.schema.createTable('users'), dialect)
    .addColumn('username', 'text', notNull)
    .addColumn('name', 'text', notNull)
    .addColumn('email', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_bot', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('users_username').on('users').column('username').unique().execute();

  await withId(db.schema.createTable('projects'), dialect)
    .addColumn('name', 'text', notNull)
    .addColumn('path', 'text', notNull)
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('private'))
    .addColumn('creator_id', t.bigint, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('projects_path').on('projects').column('path').unique().execute();

  await db.schema
    .createTable('members')
    .addColumn('project_id', t.bigint, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('user_id', t.bigint, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('access_level', 'integer', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .addPrimaryKeyConstraint('members_pk', ['project_id', 'user_id'])
    .execute();
  await db.schema.createIndex('members_user').on('members').column('user_id').execute();

  await withId(db.schema.createTable('tokens'), dialect)
    .addColumn('user_id', t.bigint, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', notNull)
    .addColumn('name', 'text', notNull)
    .addColumn('token_hash', 'text', notNull)
    .addColumn('token_hint', 'text', notNull)
    .addColumn('scopes', 'text', notNull)
    .addColumn('project_id', t.bigint, (c) => c.references('projects.id').onDelete('cascade'))
    .addColumn('expires_at', t.bigint)
    .addColumn('revoked_at', t.bigint)
    .addColumn('last_used_at', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('tokens_hash').on('tokens').column('token_hash').unique().execute();
  await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', t.bigint, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('expires_at', t.bigint, notNull)
    .execute();

  await withId(db.schema.createTable('events'), dialect)
    .addColumn('type', 'text', notNull)
    .addColumn('project_id', t.bigint)
    .addColumn('actor_id', t.bigint)
    .addColumn('payload', 'text', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .execute();

  await withId(db.schema.createTable('audit_events'), dialect)
    .addColumn('action', 'text', notNull)
    .addColumn('author_id', t.bigint)
    .addColumn('author_name', 'text', notNull)
    .addColumn('project_id', t.bigint)
    .addColumn('target_type', 'text', notNull)
    .addColumn('target_id', 'text')
    .addColumn('details', 'text', notNull)
    .addColumn('ip_address', 'text')
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('audit_events_project').on('audit_events').columns(['project_id', 'id']).execute();
  await db.schema.createIndex('audit_events_action').on('audit_events').columns(['action', 'created_at']).execute();
}
