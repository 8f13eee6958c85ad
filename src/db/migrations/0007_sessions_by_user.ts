import type { MigrationDb } from '../columns.ts';

/** A change of a person's rights ends all their sessions (SessionsService.endAllOf): found by user. */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
}
