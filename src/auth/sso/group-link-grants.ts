import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { followRule } from '../../projects/rule-memberships.ts';

/**
 * Applies a provider's group links to one person at sign-in: in each linked project they are a
 * member at the highest level their groups give. The projects domain keeps the memberships
 * (`followRule`: a membership a person gave is only raised, never lowered or removed); this
 * keeps the record of which memberships the links made (`sso_granted_memberships`), so those
 * follow the groups. Runs in the sign-in's transaction.
 */
export async function applyGroupLinks(trx: Kysely<Schema>, userId: number, provider: string, groups: readonly string[]): Promise<{ granted: number[]; removed: number[] }> {
  const links = await trx.selectFrom('sso_group_links').select(['project_id', 'group_name', 'access_level']).where('provider', '=', provider).execute();
  const wanted = new Map<number, number>();
  for (const link of links) {
    if (!groups.includes(link.group_name)) continue;
    wanted.set(link.project_id, Math.max(wanted.get(link.project_id) ?? 0, link.access_level));
  }
  const ruled = new Set((await trx.selectFrom('sso_granted_memberships').select('project_id').where('user_id', '=', userId).execute()).map((r) => r.project_id));
  const { changed, created, ended } = await followRule(trx, userId, wanted, ruled);
  for (const projectId of created) await trx.insertInto('sso_granted_memberships').values({ project_id: projectId, user_id: userId }).execute();
  for (const projectId of ended) await trx.deleteFrom('sso_granted_memberships').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
  return { granted: changed, removed: ended };
}
