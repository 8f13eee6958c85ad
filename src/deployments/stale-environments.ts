import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { DeploymentErrors } from './errors.ts';
import type { EnvironmentRow } from './records.ts';

const DAY_MS = 86_400_000;
/** GitLab's bounds on `before`: stale means untouched for a week at least, and no more than ten years are searched. */
const NEWEST_BEFORE_MS = 7 * DAY_MS;
const OLDEST_BEFORE_MS = 3_653 * DAY_MS;

/** `before` of `POST environments/stop_stale`: an ISO 8601 date or time between ten years and one week ago. */
export function staleBefore(before: string, at: number): number {
  const time = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(before) ? Date.parse(before) : Number.NaN;
  if (Number.isNaN(time)) throw DeploymentErrors.INVALID_STALE_DATE({ detail: `before must be an ISO 8601 date or time (2019-03-15T08:00:00Z), not ${JSON.stringify(before)}` });
  if (time < at - OLDEST_BEFORE_MS || time > at - NEWEST_BEFORE_MS) throw DeploymentErrors.INVALID_STALE_DATE({ detail: 'before must be between 10 years ago and 1 week ago' });
  return time;
}

/**
 * The environments GitLab's stop_stale stops: available, last changed before the date, with no
 * deployment since, and not protected (a protected environment is stopped by those it names).
 */
export function staleEnvironments(db: Kysely<Schema>, projectId: number, before: number): Promise<EnvironmentRow[]> {
  return db
    .selectFrom('environments')
    .selectAll('environments')
    .where('environments.project_id', '=', projectId)
    .where('environments.state', '=', 'available')
    .where('environments.updated_at', '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('deployments').select('deployments.id').whereRef('deployments.environment_id', '=', 'environments.id').where('deployments.updated_at', '>=', before))),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('protected_environments')
            .select('protected_environments.id')
            .whereRef('protected_environments.project_id', '=', 'environments.project_id')
            .whereRef('protected_environments.name', '=', 'environments.name'),
        ),
      ),
    )
    .orderBy('environments.id')
    .execute();
}
