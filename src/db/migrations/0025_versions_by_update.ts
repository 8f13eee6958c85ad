import type { MigrationDb } from '../columns.ts';

/**
 * MLflow's search_model_versions lists the most recently updated versions first by default.
 * Without an index in that order, every search sorted all its matches (25,000 of 50,000 versions
 * matched by one tag took 76 ms on PostgreSQL); read backwards along this index, a page of 1,000
 * stops after about 2,000 versions (3.5 ms), the model's name and the version number ordering
 * only the few versions that share an update time.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.createIndex('model_versions_by_update').on('model_versions').column('updated_at').execute();
}
