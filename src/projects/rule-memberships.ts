import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';

/** The owner role: a rule never gives, changes or takes it; a person does. */
const OWNER = 50;

/**
 * Memberships that follow a rule instead of a person's decision (single sign-on's group links):
 * `wanted` is the level in each project the rule gives now, `ruled` the projects whose
 * membership the rule made earlier. A missing membership is made; one the rule made follows it
 * (changed, or ended when the rule no longer gives the project); one a person gave is only ever
 * raised, never lowered or ended. Owners are left alone. Runs in the caller's transaction and
 * says which memberships the rule made now (`created`) and which it ended, for its own record.
 */
export async function followRule(
  trx: Kysely<Schema>,
  userId: number,
  wanted: ReadonlyMap<number, number>,
  ruled: ReadonlySet<number>,
): Promise<{ changed: number[]; created: number[]; ended: number[] }> {
  const memberships = new Map((await trx.selectFrom('members').select(['project_id', 'access_level']).where('user_id', '=', userId).execute()).map((r) => [r.project_id, r.access_level] as const));
  const changed: number[] = [];
  const created: number[] = [];
  for (const [projectId, level] of wanted) {
    const current = memberships.get(projectId);
    if (current === undefined) {
      await trx.insertInto('members').values({ project_id: projectId, user_id: userId, access_level: level, created_at: now() }).execute();
      created.push(projectId);
      changed.push(projectId);
    } else if (current !== level && current < OWNER && (ruled.has(projectId) || current < level)) {
      // A custom role fits one base level only: a rule that changes the level ends it.
      await trx.updateTable('members').set({ access_level: level, member_role_id: null }).where('project_id', '=', projectId).where('user_id', '=', userId).execute();
      changed.push(projectId);
    }
  }
  const ended = [...ruled].filter((projectId) => !wanted.has(projectId));
  for (const projectId of ended) {
    if ((memberships.get(projectId) ?? OWNER) < OWNER) await trx.deleteFrom('members').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
  }
  return { changed, created, ended };
}
