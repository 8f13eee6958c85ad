import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Single sign-on (issue 22): which provider account is which person (issuer + subject, never an
 * e-mail address), the short-lived state of sign-ins under way (in the database, so the
 * callback may reach another replica than the start), project roles given to a provider's
 * groups and the memberships those links made (so a person who leaves the group loses exactly
 * those), and the provider a session was opened through (for the provider's sign-out).
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await withId(db.schema.createTable('user_identities'), dialect)
    .addColumn('user_id', t.bigint, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', notNull)
    .addColumn('issuer', 'text', notNull)
    .addColumn('subject', 'text', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('user_identities_subject').on('user_identities').columns(['issuer', 'subject']).unique().execute();
  await db.schema.createIndex('user_identities_user').on('user_identities').columns(['user_id', 'provider']).unique().execute();

  await db.schema
    .createTable('sso_sign_in_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', notNull)
    .addColumn('nonce', 'text', notNull)
    .addColumn('code_verifier', 'text', notNull)
    .addColumn('return_to', 'text', notNull)
    .addColumn('expires_at', t.bigint, notNull)
    .execute();

  await withId(db.schema.createTable('sso_group_links'), dialect)
    .addColumn('project_id', t.bigint, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('provider', 'text', notNull)
    .addColumn('group_name', 'text', notNull)
    .addColumn('access_level', 'integer', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('sso_group_links_group').on('sso_group_links').columns(['project_id', 'provider', 'group_name']).unique().execute();

  await db.schema
    .createTable('sso_granted_memberships')
    .addColumn('project_id', t.bigint, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('user_id', t.bigint, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('sso_granted_memberships_pk', ['project_id', 'user_id'])
    .execute();

  await db.schema.alterTable('sessions').addColumn('sso_provider', 'text').execute();
}
