import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Caller, CallerUser } from './caller.ts';
import { AuthErrors, passwordTooShort, userNotFound } from './errors.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import type { UsersTable } from './tables.ts';
import { recordAudit } from '../events/audit-log.ts';
import { containsText } from '../db/like.ts';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  username: string;
  name?: string;
  email?: string | null;
  password?: string | null;
  isAdmin?: boolean;
  isBot?: boolean;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

export function toCallerUser(row: UserRow): CallerUser {
  return { id: row.id, username: row.username, name: row.name, isAdmin: row.is_admin === 1, isBot: row.is_bot === 1 };
}

/**
 * The user columns a caller is made of, read by a join in the same statement as the credential
 * (token, session or job): every authenticated request would otherwise pay a second round trip
 * to the database for its user. Prefixed, so they cannot collide with the credential's columns.
 */
export const CALLER_USER_COLUMNS = [
  'users.id as user_id_',
  'users.username as user_username',
  'users.name as user_name',
  'users.is_admin as user_is_admin',
  'users.is_bot as user_is_bot',
  'users.state as user_state',
] as const;

export interface CallerUserColumns {
  user_id_: number | null;
  user_username: string | null;
  user_name: string | null;
  user_is_admin: number | null;
  user_is_bot: number | null;
  user_state: UserRow['state'] | null;
}

/**
 * Splits a row joined with {@link CALLER_USER_COLUMNS} into the credential's own columns and the
 * caller's user, which is null when the user is missing or blocked.
 */
export function splitCallerUser<R extends CallerUserColumns>(row: R): { own: Omit<R, keyof CallerUserColumns>; user: CallerUser | null } {
  const { user_id_, user_username, user_name, user_is_admin, user_is_bot, user_state, ...own } = row;
  const user = user_id_ === null || user_state !== 'active' ? null : { id: user_id_, username: user_username!, name: user_name!, isAdmin: user_is_admin === 1, isBot: user_is_bot === 1 };
  return { own, user };
}

export class UsersService {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(input: NewUser, caller: Caller | null, db: Kysely<Schema> = this.db): Promise<UserRow> {
    if (!USERNAME_PATTERN.test(input.username) || /\.(git|atom)$/.test(input.username)) {
      throw invalid('username may contain only letters, digits, "_", "-" and ".", and may not start with "-" or "."');
    }
    if (input.password != null && input.password.length < MIN_PASSWORD_LENGTH) throw passwordTooShort();
    const passwordHash = input.password != null ? await hashPassword(input.password) : null;
    // The account and its audit entry are one change: neither exists without the other.
    return inTransaction(db, async (trx) => {
      const taken = await trx
        .selectFrom('users')
        .select('id')
        .where((eb) => eb(eb.fn('lower', ['username']), '=', input.username.toLowerCase()))
        .executeTakeFirst();
      if (taken) throw AuthErrors.USERNAME_TAKEN();
      const row = await trx
        .insertInto('users')
        .values({
          username: input.username,
          name: input.name ?? input.username,
          email: input.email ?? null,
          password_hash: passwordHash,
          is_admin: input.isAdmin ? 1 : 0,
          is_bot: input.isBot ? 1 : 0,
          state: 'active',
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (!row.is_bot) {
        await recordAudit(trx, caller, {
          action: 'user.created',
          targetType: 'user',
          targetId: row.id,
          details: { username: row.username, is_admin: row.is_admin === 1 },
        });
      }
      return row;
    });
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findById(id: number, db: Kysely<Schema> = this.db): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getById(id: number, db: Kysely<Schema> = this.db): Promise<UserRow> {
    const row = await this.findById(id, db);
    if (!row) throw userNotFound();
    return row;
  }

  async findByUsername(username: string, db: Kysely<Schema> = this.db): Promise<UserRow | undefined> {
    return db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
      .executeTakeFirst();
  }

  /** Returns the user when the password matches an active, human account. */
  async checkPassword(login: string, password: string): Promise<UserRow | null> {
    const row = await this.findByUsername(login);
    if (!row || row.is_bot || row.state !== 'active' || !row.password_hash) return null;
    return (await verifyPassword(password, row.password_hash)) ? row : null;
  }

  /**
   * The user directory (`GET /users`): one person by exact username, or a page of people
   * searched by username and name. Bots are not listed.
   */
  async directory(query: { username?: string; search?: string; offset: number; limit: number }): Promise<{ total: number; items: UserRow[] }> {
    if (query.username !== undefined) {
      const user = await this.findByUsername(query.username);
      const items = user && !user.is_bot ? [user] : [];
      return { total: items.length, items };
    }
    return this.list({ search: query.search, offset: query.offset, limit: query.limit, includeBots: false });
  }

  async list(options: { search?: string; offset: number; limit: number; includeBots: boolean }): Promise<{ total: number; items: UserRow[] }> {
    let base = this.db.selectFrom('users');
    if (!options.includeBots) base = base.where('is_bot', '=', 0);
    if (options.search) {
      const search = options.search;
      base = base.where((eb) => eb.or([containsText(eb.ref('username'), search), containsText(eb.ref('name'), search)]));
    }
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('id').offset(options.offset).limit(options.limit).execute(),
    ]);
    return { total: Number(count.n), items: rows };
  }
}
