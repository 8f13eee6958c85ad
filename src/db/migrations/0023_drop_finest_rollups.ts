import { sql } from 'kysely';
import type { MigrationDb } from '../columns.ts';

/**
 * Metric rollups of level 1 (buckets of 4 steps) are no longer written or read
 * (src/tracking/metrics/rollup-levels.ts): the rows already there are removed, so that the
 * table holds only what reads use.
 */
export async function up(db: MigrationDb): Promise<void> {
  await sql`delete from metric_rollups where level = 1`.execute(db);
}
