import { now } from '../shared/clock.ts';
import type { ProjectTokenNative, SessionNative, TokenNative, UserAsAdminSees, UserNative } from './contract.ts';
import type { TokenRow } from './tokens-service.ts';
import type { UserRow } from './users-service.ts';

/** The public shape of a user in the native API, as GitLab's `UserBasic` (a member row has the same columns). */
export function presentUser(row: Pick<UserRow, 'id' | 'username' | 'name' | 'state' | 'is_bot' | 'created_at'>): UserNative {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    state: row.state,
    bot: row.is_bot === 1,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function presentUserAsAdminSees(row: UserRow): UserAsAdminSees {
  return { ...presentUser(row), email: row.email, is_admin: row.is_admin === 1 };
}

export function presentSession(user: UserRow, csrfToken: string | null): SessionNative {
  return { user: presentUser(user), csrf_token: csrfToken };
}

export function presentToken(row: TokenRow): TokenNative {
  const expired = row.expires_at !== null && row.expires_at <= now();
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    scopes: row.scopes.split(','),
    user_id: row.user_id,
    project_id: row.project_id,
    token_hint: row.token_hint,
    revoked: row.revoked_at !== null,
    active: row.revoked_at === null && !expired,
    created_at: new Date(row.created_at).toISOString(),
    expires_at: row.expires_at === null ? null : new Date(row.expires_at).toISOString().slice(0, 10),
    last_used_at: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
  };
}

/** A project access token with its bot's role in the project (null once the bot lost it). */
export function presentProjectToken(row: TokenRow, accessLevel: number | null): ProjectTokenNative {
  return { ...presentToken(row), access_level: accessLevel };
}
