import { presentUser } from '../auth/present.ts';
import { actsAsAdmin, type ProjectAccess } from '../auth/policy.ts';
import { ACCESS_LEVEL, roleOfLevel } from '../auth/roles.ts';
import type { MemberNative, ProjectNative, ProjectWithAccess } from './contract.ts';
import type { MemberRow } from './members-service.ts';
import type { ProjectRow } from './projects-service.ts';

/** A project as lists show it; `publicUrl` makes its web URL absolute. */
export function presentProject(row: ProjectRow, publicUrl: string): ProjectNative {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    path_with_namespace: row.path,
    name_with_namespace: row.name,
    description: row.description,
    visibility: row.visibility,
    creator_id: row.creator_id,
    created_at: new Date(row.created_at).toISOString(),
    last_activity_at: new Date(row.updated_at).toISOString(),
    web_url: `${publicUrl}/${row.path}`,
  };
}

/** A project with what the caller may do in it (the UI offers only that). */
export function presentProjectWithAccess(row: ProjectRow, publicUrl: string, access: ProjectAccess): ProjectWithAccess {
  return {
    ...presentProject(row, publicUrl),
    permissions: {
      project_access: access.level > 0 ? { access_level: Math.min(access.level, ACCESS_LEVEL.owner) } : null,
      is_admin: actsAsAdmin(access.caller),
      custom_abilities: [...access.extras],
    },
  };
}

export function presentMember(row: MemberRow): MemberNative {
  return { ...presentUser(row), access_level: row.access_level, role: roleOfLevel(row.access_level) ?? 'unknown', member_role_id: row.member_role_id };
}
