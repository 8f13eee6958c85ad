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
  /** The single sign-on provider the session was opened through; null for a password. */
  sso_provider: string | null;
}

/** A sign-in throttle counter; `key` is a digest of the rule and its subject (account, address). */
export interface SignInAttemptsTable {
  key: string;
  attempts: number;
  window_started_at: number;
  /** For a rule that slows down rather than locks: no attempt before this time. */
  blocked_until: number;
}

/** A person's account at a single sign-on provider: (issuer, subject) names it for good. */
export interface UserIdentitiesTable {
  id: Generated<number>;
  user_id: number;
  provider: string;
  issuer: string;
  subject: string;
  created_at: number;
}

/** A sign-in under way at a provider; `state_hash` is a digest of the state sent there. */
export interface SsoSignInStatesTable {
  state_hash: string;
  provider: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  expires_at: number;
}

/** Members of a provider's group get this role in the project (GitLab's SAML group links). */
export interface SsoGroupLinksTable {
  id: Generated<number>;
  project_id: number;
  provider: string;
  group_name: string;
  access_level: number;
  created_at: number;
}

/** Memberships a group link made: they follow the group, the others are left to people. */
export interface SsoGrantedMembershipsTable {
  project_id: number;
  user_id: number;
}

export interface AuthTables {
  users: UsersTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  sign_in_attempts: SignInAttemptsTable;
  user_identities: UserIdentitiesTable;
  sso_sign_in_states: SsoSignInStatesTable;
  sso_group_links: SsoGroupLinksTable;
  sso_granted_memberships: SsoGrantedMembershipsTable;
}
