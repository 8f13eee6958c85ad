import { sql, type MigrationDb } from '../columns.ts';

/**
 * Each experiment's artifact location, kept instead of derived from its id: a client may choose
 * one inside its project's storage (MLflow's `experiments/create` with `artifact_location`), and
 * a project's default experiment keeps MLflow's `mlflow-artifacts:/0`. Existing experiments
 * keep the location they always had (their runs and logged models have files there).
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('experiments').addColumn('artifact_location', 'text').execute();
  await sql`update experiments set artifact_location = 'mlflow-artifacts:/' || cast(id as text)`.execute(db);
}
