import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordAudit } from '../events/audit-log.ts';
import type { Caller } from './caller.ts';
import { AuthErrors, passwordTooShort } from './errors.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import { signedInUser } from './policy.ts';
import type { SessionsService } from './sessions-service.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';
import type { UsersService } from './users-service.ts';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  /** The cookie of the session the change was made in, which stays signed in; every other session ends. */
  keepSession?: string;
}

/**
 * A person changes their own password (`PUT /user/password`; GitLab has this only in its web
 * UI). The current password is checked under the sign-in throttle, so that a stolen session or
 * token cannot be used to guess it faster than the sign-in form allows, and the change signs the
 * person out of every other browser in the same transaction, as an administrator's change does.
 */
export class PasswordChangeService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly throttle: SignInThrottle,
  ) {}

  async change(caller: Caller, input: PasswordChange): Promise<{ sessionsEnded: number }> {
    const user = await this.users.getById(signedInUser(caller).id);
    if (user.password_hash === null) throw AuthErrors.NO_PASSWORD_SET();
    if (input.newPassword.length < MIN_PASSWORD_LENGTH) throw passwordTooShort();
    const attempt = await this.throttle.reserve(user.username, caller.ip);
    if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
      await recordAudit(this.db, caller, {
        action: 'authentication.failed',
        targetType: 'login',
        targetId: user.username.toLowerCase(),
        details: { reason: 'wrong_credentials', via: 'password_change' },
      });
      throw AuthErrors.WRONG_CURRENT_PASSWORD();
    }
    if (input.newPassword === input.currentPassword) {
      await attempt.succeeded();
      throw AuthErrors.SAME_PASSWORD();
    }
    const passwordHash = await hashPassword(input.newPassword);
    return inTransaction(this.db, async (trx) => {
      await attempt.succeeded(trx);
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', user.id).execute();
      const sessionsEnded = await this.sessions.endAllOf(user.id, trx, input.keepSession);
      await recordAudit(trx, caller, {
        action: 'user.password_changed',
        targetType: 'user',
        targetId: user.id,
        details: { username: user.username, sessions_ended: sessionsEnded, by: 'self' },
      });
      return { sessionsEnded };
    });
  }
}
