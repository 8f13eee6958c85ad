import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';

/** The most keys of one kind listed; an experiment with more is not a table anyone reads column by column. */
export const MAX_RUN_KEYS = 2000;

export interface RunKeys {
  metrics: string[];
  params: string[];
  tags: string[];
}

/**
 * Every metric, param and tag key that any run of the experiment (active or deleted) has, sorted:
 * what a runs table can offer as columns, whichever page of runs it has loaded.
 */
export async function runKeysOf(db: Kysely<Schema>, projectId: number, experimentId: number): Promise<RunKeys> {
  const keysIn = async (table: 'latest_metrics' | 'run_params' | 'run_tags') => {
    const rows = await db
      .selectFrom(table)
      .innerJoin('runs', 'runs.id', `${table}.run_id`)
      .select(`${table}.key as key`)
      .distinct()
      .where('runs.project_id', '=', projectId)
      .where('runs.experiment_id', '=', experimentId)
      .orderBy('key')
      .limit(MAX_RUN_KEYS)
      .execute();
    return rows.map((r) => r.key);
  };
  const [metrics, params, tags] = await Promise.all([keysIn('latest_metrics'), keysIn('run_params'), keysIn('run_tags')]);
  return { metrics, params, tags };
}
