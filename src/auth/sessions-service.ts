import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { now } from '../shared/clock.ts';
import { newSecret, sha256Hex } from './secrets.ts';
import type { SessionsTable } from './tables.ts';
import type { CallerUser } from './caller.ts';
import { CALLER_USER_COLUMNS, splitCallerUser } from './users-service.ts';

export const SESSION_COOKIE = 'modelyard_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export type SessionRow = Selectable<SessionsTable>;

/** The Set-Cookie value that gives the browser its session: script cannot read it, other sites do not send it. */
export function sessionCookie(secret: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_LIFETIME_MS / 1000}${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that makes the browser forget its session. */
export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;

/**
 * Browser sessions live in the database (not in server memory) so that any replica can
 * serve any request. The CSRF token is bound to the session and must accompany every
 * cookie-authenticated write.
 */
export class SessionsService {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(userId: number, db: Kysely<Schema> = this.db, ssoProvider: string | null = null): Promise<{ secret: string; csrfToken: string; expiresAt: number }> {
    const secret = newSecret('session');
    const csrfToken = randomBytes(24).toString('base64url');
    const createdAt = now();
    const expiresAt = createdAt + SESSION_LIFETIME_MS;
    await inTransaction(db, async (trx) => {
      await trx
        .insertInto('sessions')
        .values({ id_hash: sha256Hex(secret), user_id: userId, csrf_token: csrfToken, created_at: createdAt, expires_at: expiresAt, sso_provider: ssoProvider })
        .execute();
      // Expired sessions are swept as new ones are made, which keeps the table small without a scheduler.
      await trx.deleteFrom('sessions').where('expires_at', '<=', createdAt).execute();
    });
    return { secret, csrfToken, expiresAt };
  }

  async find(secret: string): Promise<SessionRow | undefined> {
    return (await this.findWithUser(secret))?.session;
  }

  /** The live session of a secret, with its user (null when missing or blocked) read in the same statement. */
  async findWithUser(secret: string): Promise<{ session: SessionRow; user: CallerUser | null } | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .leftJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('sessions')
      .select(CALLER_USER_COLUMNS)
      .where('sessions.id_hash', '=', sha256Hex(secret))
      .executeTakeFirst();
    if (!row || row.expires_at <= now()) return undefined;
    const { own: session, user } = splitCallerUser(row);
    return { session, user };
  }

  async destroy(secret: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', sha256Hex(secret)).execute();
  }

  /**
   * Signs a person out of every browser: called, in the same transaction, whenever what they may
   * do changes (administrator or not, blocked, password, project roles), so that no session made
   * before the change, perhaps one an attacker planted or copied, lives on after it.
   */
  async endAllOf(userId: number, db: Kysely<Schema> = this.db, keepSecret?: string): Promise<number> {
    let query = db.deleteFrom('sessions').where('user_id', '=', userId);
    // A person who changes their own password stays signed in where they did it.
    if (keepSecret !== undefined) query = query.where('id_hash', '!=', sha256Hex(keepSecret));
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  static csrfMatches(session: SessionRow, presented: string | undefined): boolean {
    if (!presented) return false;
    const a = Buffer.from(session.csrf_token);
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
