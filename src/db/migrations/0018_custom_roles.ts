import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Custom roles (issue 22), GitLab's member roles: a base access level plus extra abilities, and
 * the custom role a member holds. A role in use cannot be deleted (the service refuses first;
 * the foreign key without a cascade keeps a race from leaving members pointing nowhere).
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await withId(db.schema.createTable('member_roles'), dialect)
    .addColumn('name', 'text', notNull)
    .addColumn('description', 'text', notNull)
    .addColumn('base_access_level', 'integer', notNull)
    /** The extra abilities, a JSON array of names from src/auth/abilities.ts. */
    .addColumn('abilities', 'text', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('member_roles_name').on('member_roles').column('name').unique().execute();
  await db.schema
    .alterTable('members')
    .addColumn('member_role_id', t.bigint, (c) => c.references('member_roles.id'))
    .execute();
}
