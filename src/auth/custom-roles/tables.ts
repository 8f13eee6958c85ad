import type { Generated } from 'kysely';

/** A custom role (GitLab's member role): a base access level plus extra abilities. */
export interface MemberRolesTable {
  id: Generated<number>;
  name: string;
  description: string;
  base_access_level: number;
  /** A JSON array of ability names (src/auth/abilities.ts), each one of CUSTOM_ABILITY_FIELDS'. */
  abilities: string;
  created_at: number;
}

export interface CustomRoleTables {
  member_roles: MemberRolesTable;
}
