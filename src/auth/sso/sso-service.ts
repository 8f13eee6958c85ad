import type { Kysely } from 'kysely';
import * as oidc from 'openid-client';
import type { Schema } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { recordAudit } from '../../events/audit-log.ts';
import { now } from '../../shared/clock.ts';
import type { Caller } from '../caller.ts';
import type { SessionsService } from '../sessions-service.ts';
import type { NewSession } from '../sign-in-service.ts';
import { USERNAME_PATTERN, type UserRow, type UsersService } from '../users-service.ts';
import { SsoErrors } from './errors.ts';
import { applyGroupLinks } from './group-link-grants.ts';
import type { OidcClients } from './oidc-clients.ts';
import type { SignInStates } from './sign-in-states.ts';
import type { SsoProvider } from './sso-config.ts';

/** Where a provider sends people back: GitLab's OmniAuth path, so a redirect URI registered for GitLab reads the same. */
export const callbackPath = (provider: string) => `/users/auth/${provider}/callback`;

/**
 * Only a path of this site, so the sign-in is no open redirect: never another origin (`//evil`,
 * `/\\evil`), and no control character or space anywhere, since browsers drop tabs and line
 * breaks from a URL (`/\t/evil` would become `//evil`).
 */
export function safeReturnTo(value: string | undefined): string {
  if (!value || !value.startsWith('/') || /[\x00-\x20\x7f\\]/.test(value) || value.startsWith('//')) return '/';
  return value;
}

function groupsOf(provider: SsoProvider, claims: Record<string, unknown>): string[] {
  if (!provider.groupsAttribute) return [];
  const value = claims[provider.groupsAttribute];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

/**
 * Single sign-on with OpenID Connect: the authorization code flow with PKCE, a state bound to the
 * browser (a cookie) and to the database (one use), and a nonce in the ID token. openid-client
 * checks the ID token's signature against the provider's keys, its issuer, audience, expiry
 * and nonce. A provider account is a person by (issuer, subject) only: a new one becomes a new
 * account, never an existing one found by e-mail or username, which an administrator links.
 */
export class SsoService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clients: OidcClients,
    private readonly states: SignInStates,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly publicUrl: string,
  ) {}

  /** The provider's authorization URL to send the browser to, and the state its cookie must carry back. */
  async start(providerId: string, returnTo: string | undefined): Promise<{ url: string; state: string }> {
    const provider = this.clients.provider(providerId);
    const config = await this.clients.configuration(provider);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    await this.states.put(state, { provider: provider.id, nonce, codeVerifier, returnTo: safeReturnTo(returnTo) });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: new URL(callbackPath(provider.id), this.publicUrl).toString(),
      scope: provider.scopes,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.toString(), state };
  }

  /**
   * The provider sent the browser back: check the answer, find or make the account, apply the
   * groups, open a session. `query` is the callback's query string; `browserState` the state
   * cookie set at the start.
   */
  async finish(caller: Caller, providerId: string, query: URLSearchParams, browserState: string | undefined): Promise<NewSession & { returnTo: string }> {
    const provider = this.clients.provider(providerId);
    const state = query.get('state');
    if (!state || !browserState || state !== browserState) throw SsoErrors.STATE_MISMATCH();
    const pending = await this.states.take(state);
    if (!pending || pending.provider !== provider.id) throw SsoErrors.STATE_MISMATCH();
    if (query.has('error')) throw SsoErrors.PROVIDER_REFUSED({ reason: (query.get('error_description') ?? query.get('error')!).slice(0, 200) });

    const config = await this.clients.configuration(provider);
    const callbackUrl = new URL(callbackPath(provider.id), this.publicUrl);
    callbackUrl.search = query.toString();
    let claims: oidc.IDToken;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: pending.codeVerifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true });
      claims = tokens.claims()!;
      // A provider that follows the spec's default puts the scopes' claims in userinfo, not in
      // the ID token; the ID token's own claims (issuer, subject) stay the ones that count.
      const missing = !(provider.usernameClaim in claims) || (provider.groupsAttribute !== undefined && !(provider.groupsAttribute in claims));
      if (missing && config.serverMetadata().userinfo_endpoint) claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
    } catch (e) {
      await recordAudit(this.db, caller, { action: 'authentication.failed', targetType: 'sso_provider', targetId: provider.id, details: { reason: 'answer_not_verified', via: 'sso' } });
      throw SsoErrors.ANSWER_NOT_VERIFIED({ reason: e instanceof Error ? e.message.slice(0, 200) : 'unknown' });
    }
    const groups = groupsOf(provider, claims);
    if (provider.requiredGroups && !provider.requiredGroups.some((g) => groups.includes(g))) throw SsoErrors.NOT_IN_REQUIRED_GROUP();

    const user = await inTransaction(this.db, async (trx) => {
      const person = await this.accountOf(trx, caller, provider, claims);
      if (person.state === 'blocked') throw SsoErrors.ACCOUNT_BLOCKED();
      const admin = await this.applyAdminGroups(trx, caller, provider, person, groups);
      const links = await applyGroupLinks(trx, person.id, provider.id, groups);
      await recordAudit(trx, caller, {
        action: 'authentication.sso',
        targetType: 'user',
        targetId: person.id,
        details: { provider: provider.id, projects_granted: links.granted, projects_removed: links.removed },
      });
      return admin;
    });
    const session = await this.sessions.create(user.id, this.db, provider.id);
    return { user, secret: session.secret, csrfToken: session.csrfToken, returnTo: pending.returnTo };
  }

  /** The provider's sign-out page for a session opened through it, coming back to this site; null when it has none. */
  async endSessionUrl(providerId: string): Promise<string | null> {
    const provider = this.clients.provider(providerId);
    const config = await this.clients.configuration(provider).catch(() => null);
    if (!config?.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(config, { client_id: provider.clientId, post_logout_redirect_uri: new URL('/', this.publicUrl).toString() }).toString();
  }

  private async accountOf(trx: Kysely<Schema>, caller: Caller, provider: SsoProvider, claims: oidc.IDToken): Promise<UserRow> {
    const identity = await trx.selectFrom('user_identities').select('user_id').where('issuer', '=', claims.iss).where('subject', '=', claims.sub).executeTakeFirst();
    if (identity) return this.users.getById(identity.user_id, trx);
    const username = claims[provider.usernameClaim];
    if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) throw SsoErrors.NO_USERNAME({ claim: provider.usernameClaim });
    if (await this.users.findByUsername(username, trx)) throw SsoErrors.USERNAME_TAKEN_BY_ANOTHER({ username });
    const name = typeof claims.name === 'string' && claims.name.trim() !== '' ? claims.name.slice(0, 255) : username;
    const email = typeof claims.email === 'string' && claims.email_verified === true ? claims.email.slice(0, 255) : null;
    const user = await this.users.create({ username, name, email }, caller, trx);
    await trx.insertInto('user_identities').values({ user_id: user.id, provider: provider.id, issuer: claims.iss, subject: claims.sub, created_at: now() }).execute();
    return user;
  }

  /**
   * With `admin_groups` set, the provider decides who administers the instance, at every sign-in.
   * The last active administrator is never demoted this way: the instance would have none.
   */
  private async applyAdminGroups(trx: Kysely<Schema>, caller: Caller, provider: SsoProvider, user: UserRow, groups: string[]): Promise<UserRow> {
    if (!provider.adminGroups) return user;
    const admin = provider.adminGroups.some((g) => groups.includes(g)) ? 1 : 0;
    if (admin === user.is_admin) return user;
    if (admin === 0) {
      const others = await trx.selectFrom('users').select('id').where('is_admin', '=', 1).where('state', '=', 'active').where('id', '!=', user.id).executeTakeFirst();
      if (!others) return user;
    }
    const updated = await trx.updateTable('users').set({ is_admin: admin }).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, caller, { action: 'user.updated', targetType: 'user', targetId: user.id, details: { is_admin: admin === 1, via: `sso:${provider.id}` } });
    return updated;
  }
}
