import type { ExpressionBuilder } from 'kysely';
import type { Schema } from '../db/schema.ts';

/**
 * `resource_group:`: in a project, at most one job of a group runs at a time (GitLab's
 * `unordered` process mode); the others stay pending until it finishes. A deploy job names its
 * environment's group, so two pipelines never deploy one environment at once.
 */

/** Candidates for a runner: pending jobs whose group, if any, has no running job. */
export function resourceGroupFree(eb: ExpressionBuilder<Schema, 'ci_jobs'>) {
  return eb.or([
    eb('ci_jobs.resource_group', 'is', null),
    eb.not(
      eb.exists(
        eb
          .selectFrom('ci_jobs as holder')
          .select('holder.id')
          .whereRef('holder.project_id', '=', 'ci_jobs.project_id')
          .whereRef('holder.resource_group', '=', 'ci_jobs.resource_group')
          .where('holder.status', '=', 'running'),
      ),
    ),
  ]);
}

/**
 * Runs a claim; two replicas (or two runners) that saw the same group free at once both try,
 * and the unique index on running jobs per group (migration 0010) lets one through: the other
 * gets nothing and moves on to its next candidate.
 */
export async function takeUnlessGroupBusy<T>(claim: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await claim();
  } catch (error) {
    if (/ci_jobs_one_running_per_group|UNIQUE constraint failed: ci_jobs\.project_id, ci_jobs\.resource_group/i.test(String(error))) return undefined;
    throw error;
  }
}
