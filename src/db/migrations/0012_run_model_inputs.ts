import { columnTypes, notNull, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/** The logged models a run used as inputs (MLflow's `runs/log-inputs` with `models`), beside the datasets it used. */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('run_model_inputs')
    .addColumn('run_id', t.bigint, (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('model_id', 'text', notNull)
    .addPrimaryKeyConstraint('run_model_inputs_pk', ['run_id', 'model_id'])
    .execute();
}
