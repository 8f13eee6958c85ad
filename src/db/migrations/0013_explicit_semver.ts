import { sql, type MigrationDb } from '../columns.ts';

/**
 * Whether a version's semantic version was given (the `gitlab.version` / `modelyard.semver` tag
 * or the native API) rather than counted on: GitLab's clients read a given one from the
 * version's aliases.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .alterTable('model_versions')
    .addColumn('semver_explicit', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await markTaggedSemversGiven(db);
}

/** Versions made before with one of the semver tags count as given; the native API's left no trace, so theirs stay counted. */
export async function markTaggedSemversGiven(db: MigrationDb): Promise<void> {
  await sql`update model_versions set semver_explicit = 1
    where exists (select 1 from version_tags t where t.version_id = model_versions.id and t.key in ('modelyard.semver', 'gitlab.version'))`.execute(db);
}
