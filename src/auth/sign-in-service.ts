import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordAudit } from '../events/audit-log.ts';
import { unauthenticated } from '../shared/errors.ts';
import type { Caller } from './caller.ts';
import { signedInUser } from './policy.ts';
import type { SessionsService } from './sessions-service.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';
import type { UserRow, UsersService } from './users-service.ts';

export interface NewSession {
  user: UserRow;
  /** The cookie's value; stored only as a hash. */
  secret: string;
  csrfToken: string;
}

/** Browser sessions as the sign-in form sees them: sign in, who am I, sign out. */
export class SignInService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly throttle: SignInThrottle,
  ) {}

  /**
   * Checks a password and opens a session. The throttle's slot is reserved (and committed) before
   * the password is checked, so concurrent guesses cannot outrun the limit; a wrong password is
   * audited on its own, since it changes nothing else. A right one gives the slot back and makes
   * the session in one transaction.
   */
  async signIn(caller: Caller, input: { login: string; password: string; ip: string | null }): Promise<NewSession> {
    const attempt = await this.throttle.reserve(input.login, input.ip);
    const user = await this.users.checkPassword(input.login, input.password);
    if (!user) {
      await recordAudit(this.db, caller, {
        action: 'authentication.failed',
        targetType: 'login',
        targetId: input.login.toLowerCase(),
        details: { reason: 'wrong_credentials', via: 'password' },
      });
      throw unauthenticated('401 Unauthorized: invalid login or password');
    }
    const session = await inTransaction(this.db, async (trx) => {
      await attempt.succeeded(trx);
      return this.sessions.create(user.id, trx);
    });
    return { user, secret: session.secret, csrfToken: session.csrfToken };
  }

  /** The signed-in user, and the CSRF token when the request came with the session cookie. */
  async current(caller: Caller, cookieSecret: string | undefined): Promise<{ user: UserRow; csrfToken: string | null }> {
    const user = await this.users.getById(signedInUser(caller).id);
    const session = caller.credential === 'session' && cookieSecret ? await this.sessions.find(cookieSecret) : undefined;
    return { user, csrfToken: session?.csrf_token ?? null };
  }

  /** Ends the session; answers the single sign-on provider it was opened through, if any. */
  async signOut(cookieSecret: string | undefined): Promise<string | null> {
    if (!cookieSecret) return null;
    const session = await this.sessions.find(cookieSecret);
    await this.sessions.destroy(cookieSecret);
    return session?.sso_provider ?? null;
  }
}
