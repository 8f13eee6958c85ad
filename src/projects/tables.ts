import type { Generated } from 'kysely';

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  path: string;
  description: string;
  visibility: 'private' | 'internal' | 'public';
  creator_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface MembersTable {
  project_id: number;
  user_id: number;
  /** GitLab's access levels: 10 guest, 20 reporter, 30 developer, 40 maintainer, 50 owner. */
  access_level: number;
  /** A custom role (member_roles) adding abilities to the base role; its base level equals access_level. */
  member_role_id: Generated<number | null>;
  created_at: number;
}

export interface ProjectTables {
  projects: ProjectsTable;
  members: MembersTable;
}
