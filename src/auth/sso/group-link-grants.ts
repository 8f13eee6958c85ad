import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { now } from '../../shared/clock.ts';

/**
 * Applies a provider's group links to one person at sign-in: in each linked project they are a
 * member at the highest level their groups give. Memberships the links made (recorded in
 * `sso_granted_memberships`) follow the groups: changed, or removed when the person left every
 * linked group. A membership someone gave by hand is only ever raised, never lowered or
 * removed, since a person decided it. Owners are left alone. Runs in the sign-in's transaction.
 */
export async function applyGroupLinks(trx: Kysely<Schema>, userId: number, provider: string, groups: readonly string[]): Promise<{ granted: number[]; removed: number[] }> {
  const links = await trx.selectFrom('sso_group_links').select(['project_id', 'group_name', 'access_level']).where('provider', '=', provider).execute();
  const wanted = new Map<number, number>();
  for (const link of links) {
    if (!groups.includes(link.group_name)) continue;
    wanted.set(link.project_id, Math.max(wanted.get(link.project_id) ?? 0, link.access_level));
  }
  const granted = new Set((await trx.selectFrom('sso_granted_memberships').select('project_id').where('user_id', '=', userId).execute()).map((r) => r.project_id));
  const memberships = new Map((await trx.selectFrom('members').select(['project_id', 'access_level']).where('user_id', '=', userId).execute()).map((r) => [r.project_id, r.access_level] as const));
  const changed: number[] = [];
  for (const [projectId, level] of wanted) {
    const current = memberships.get(projectId);
    if (current === undefined) {
      await trx.insertInto('members').values({ project_id: projectId, user_id: userId, access_level: level, created_at: now() }).execute();
      await trx.insertInto('sso_granted_memberships').values({ project_id: projectId, user_id: userId }).execute();
      changed.push(projectId);
    } else if (current !== level && current < 50 && (granted.has(projectId) || current < level)) {
      await trx.updateTable('members').set({ access_level: level }).where('project_id', '=', projectId).where('user_id', '=', userId).execute();
      changed.push(projectId);
    }
  }
  const removed = [...granted].filter((projectId) => !wanted.has(projectId));
  for (const projectId of removed) {
    await trx.deleteFrom('sso_granted_memberships').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
    if ((memberships.get(projectId) ?? 50) < 50) await trx.deleteFrom('members').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
  }
  return { granted: changed, removed };
}
