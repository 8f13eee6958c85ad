import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { recordAudit } from '../events/audit-log.ts';
import { inTransaction } from '../db/transaction.ts';
import { forbidden, invalid, notFound } from '../shared/errors.ts';
import type { Caller } from './caller.ts';
import { AuthErrors, passwordTooShort } from './errors.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';
import type { SessionsService } from './sessions-service.ts';
import type { UserRow, UsersService } from './users-service.ts';
import { now } from '../shared/clock.ts';
import { identitiesOf, linkIdentity, unlinkIdentity } from './sso/identity-links.ts';

export interface UserChanges {
  admin?: boolean;
  password?: string;
  name?: string;
  email?: string | null;
  /** GitLab's `provider` + `extern_uid`: the person's account at a single sign-on provider, resolved to its issuer. */
  identity?: { provider: string; issuer: string; subject: string };
}

/**
 * What administrators change about a person (GitLab's `PUT /users/:id`, block, unblock). A
 * change of rights or of the password signs the person out of every browser in the same
 * transaction; blocking also revokes their personal access tokens.
 */
export class UserAdminService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  async update(caller: Caller, userId: number, changes: UserChanges): Promise<{ user: UserRow; signedOut: boolean }> {
    const target = await this.users.getById(userId);
    if (changes.admin === true && target.is_bot === 1) throw invalid('bot users cannot be administrators');
    if (changes.password !== undefined) {
      if (target.is_bot === 1) throw invalid('bot users have no password');
      if (changes.password.length < MIN_PASSWORD_LENGTH) throw passwordTooShort();
    }
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password);
    const adminChanged = changes.admin !== undefined && changes.admin !== (target.is_admin === 1);
    const rightsChanged = adminChanged || passwordHash !== undefined;
    const columns = {
      ...(adminChanged ? { is_admin: changes.admin ? 1 : 0 } : {}),
      ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.email !== undefined ? { email: changes.email } : {}),
    };
    // `{"admin": false}` for someone who is not one asks for nothing: no write, no audit entry.
    if (Object.keys(columns).length === 0 && !changes.identity) return { user: target, signedOut: false };
    return inTransaction(this.db, async (trx) => {
      if (adminChanged && !changes.admin) await this.assertAnotherAdmin(trx, userId, 'demote');
      if (changes.identity) await linkIdentity(trx, userId, changes.identity);
      const user = Object.keys(columns).length === 0 ? target : await trx.updateTable('users').set(columns).where('id', '=', userId).returningAll().executeTakeFirstOrThrow();
      const sessionsEnded = rightsChanged ? await this.sessions.endAllOf(userId, trx) : 0;
      const changed = Object.keys(changes).filter((k) => k !== 'admin' || adminChanged);
      const identity = changes.identity ? { provider: changes.identity.provider, extern_uid: changes.identity.subject } : undefined;
      await recordAudit(trx, caller, {
        action: 'user.updated',
        targetType: 'user',
        targetId: userId,
        details: { username: user.username, changed, is_admin: user.is_admin === 1, sessions_ended: sessionsEnded, ...(identity ? { identity } : {}) },
      });
      return { user, signedOut: rightsChanged };
    });
  }

  /** The person's single sign-on links, which administrators see on `GET /users/:id`. */
  async identities(userId: number): Promise<{ provider: string; extern_uid: string }[]> {
    return identitiesOf(this.db, userId);
  }

  async unlinkIdentity(caller: Caller, userId: number, provider: string): Promise<void> {
    const target = await this.users.getById(userId);
    await inTransaction(this.db, async (trx) => {
      if (!(await unlinkIdentity(trx, userId, provider))) throw notFound('404 Identity Not Found');
      await recordAudit(trx, caller, { action: 'user.updated', targetType: 'user', targetId: userId, details: { username: target.username, changed: ['identity'], identity_removed: provider } });
    });
  }

  /**
   * Blocking is immediate: sessions end and personal access tokens are revoked in the same
   * transaction (unblocking brings neither back: someone who was blocked starts afresh, and a
   * token that leaked with the account stays dead). CI job tokens of jobs running for them fail
   * from their next use, since every request checks the account's state.
   */
  async block(caller: Caller, userId: number): Promise<void> {
    const target = await this.users.getById(userId);
    if (caller.user?.id === userId) throw forbidden('403 Forbidden: you cannot block yourself');
    if (target.state === 'blocked') return;
    await inTransaction(this.db, async (trx) => {
      if (target.is_admin === 1) await this.assertAnotherAdmin(trx, userId, 'block');
      await trx.updateTable('users').set({ state: 'blocked' }).where('id', '=', userId).execute();
      const sessionsEnded = await this.sessions.endAllOf(userId, trx);
      const revoked = await trx.updateTable('tokens').set({ revoked_at: now() }).where('user_id', '=', userId).where('kind', '=', 'personal').where('revoked_at', 'is', null).executeTakeFirst();
      await recordAudit(trx, caller, {
        action: 'user.blocked',
        targetType: 'user',
        targetId: userId,
        details: { username: target.username, sessions_ended: sessionsEnded, tokens_revoked: Number(revoked.numUpdatedRows) },
      });
    });
  }

  async unblock(caller: Caller, userId: number): Promise<void> {
    const target = await this.users.getById(userId);
    if (target.state === 'active') return;
    await inTransaction(this.db, async (trx) => {
      await trx.updateTable('users').set({ state: 'active' }).where('id', '=', userId).execute();
      await recordAudit(trx, caller, { action: 'user.unblocked', targetType: 'user', targetId: userId, details: { username: target.username } });
    });
  }

  /** An instance without an active administrator could not be administered any more. */
  private async assertAnotherAdmin(db: Kysely<Schema>, userId: number, change: 'demote' | 'block'): Promise<void> {
    const other = await db.selectFrom('users').select('id').where('is_admin', '=', 1).where('state', '=', 'active').where('id', '!=', userId).executeTakeFirst();
    if (!other) throw AuthErrors.LAST_ADMINISTRATOR({ change });
  }
}
