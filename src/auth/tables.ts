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

/** A sign-in throttle counter; `key` is a digest of the rule and its subject (account, address). */
export interface SignInAttemptsTable {
  key: string;
  attempts: number;
  window_started_at: number;
  /** For a rule that slows down rather than locks: no attempt before this time. */
  blocked_until: number;
}

export interface AuthTables {
  users: UsersTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  sign_in_attempts: SignInAttemptsTable;
}
