import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  name: string;
  email: string | null;
  password_hash: string | null;
  is_admin: number;
  /** Bot users stand behind project access tokens, as in GitLab. */
  is_bot: number;
  state: 'active' | 'blocked';
  created_at: number;
}

export interface TokensTable {
  id: Generated<number>;
  user_id: number;
  kind: 'personal' | 'project';
  name: string;
  token_hash: string;
  /** The first characters of the secret, kept to help a person recognise a token in a list. */
  token_hint: string;
  scopes: string;
  project_id: number | null;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  created_at: number;
}

export interface SessionsTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface AuthTables {
  users: UsersTable;
  tokens: TokensTable;
  sessions: SessionsTable;
}
