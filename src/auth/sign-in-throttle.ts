import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { now as systemNow } from '../shared/clock.ts';
import { AuthErrors } from './errors.ts';

/**
 * How many password guesses a sign-in form allows. Each attempt reserves a slot under every
 * rule before the password is checked, in one transaction of atomic upserts, so concurrent
 * guesses (on any number of replicas) never get more checks than the limit; a successful
 * sign-in gives its slot back. Keying the lockout by account *and* source address means a
 * stranger who types ten wrong passwords locks only themselves out, not the account's owner.
 */
export interface ThrottleRule {
  name: 'account_from_address' | 'address' | 'account';
  limit: number;
  windowMs: number;
  /** Past the limit: null refuses until the window ends; a number allows one attempt per that many ms. */
  slowdownIntervalMs: number | null;
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;

export const SIGN_IN_RULES: readonly ThrottleRule[] = [
  // Guessing one account's password from one place: locked out, as GitLab does after 10.
  { name: 'account_from_address', limit: 10, windowMs: FIFTEEN_MINUTES, slowdownIntervalMs: null },
  // Trying a few passwords on many accounts from one place (spraying).
  { name: 'address', limit: 50, windowMs: FIFTEEN_MINUTES, slowdownIntervalMs: null },
  // Many places guessing one account: slowed to one attempt per 10 s rather than locked, so
  // that a botnet cannot keep the owner out.
  { name: 'account', limit: 100, windowMs: FIFTEEN_MINUTES, slowdownIntervalMs: 10_000 },
];

/** Expired counters are deleted at most this often per process. */
const PRUNE_EVERY_MS = 60_000;

export interface SignInAttempt {
  /**
   * The password was right: give the slots back (and clear this address's failures on the
   * account), in the given transaction when the sign-in makes its session in one.
   */
  succeeded(db?: Kysely<Schema>): Promise<void>;
}

interface Slot {
  rule: ThrottleRule;
  key: string;
}

class Refused extends Error {
  constructor(readonly retryAfterMs: number) {
    super('sign-in attempt refused');
  }
}

/**
 * An IPv6 client can change its address within its /64 at will, so the /64 is its address
 * for throttling; IPv4-mapped addresses count as the IPv4 address they carry.
 */
export function throttleSubject(address: string | null): string {
  if (!address || !ipaddr.isValid(address)) return address ?? 'unknown';
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}

export class SignInThrottle {
  private lastPruneAt = 0;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly rules: readonly ThrottleRule[] = SIGN_IN_RULES,
    private readonly clock: () => number = systemNow,
  ) {}

  /** Reserves an attempt for `login` from `address`, or throws a 429 naming when to retry. */
  async reserve(login: string, address: string | null): Promise<SignInAttempt> {
    const at = this.clock();
    await this.pruneExpired(at);
    const slots = this.slotsFor(login.toLowerCase(), throttleSubject(address));
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const slot of slots) await this.take(trx, slot, at);
      });
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      throw AuthErrors.TOO_MANY_SIGN_IN_ATTEMPTS({ seconds: Math.ceil(error.retryAfterMs / 1000) }, { retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)) });
    }
    return { succeeded: (db = this.db) => this.giveBack(slots, db) };
  }

  /** Sorted by key so that concurrent transactions lock rows in one order and never deadlock. */
  private slotsFor(login: string, subject: string): Slot[] {
    const subjects: Record<ThrottleRule['name'], string[]> = {
      account_from_address: [login, subject],
      address: [subject],
      account: [login],
    };
    return this.rules
      .map((rule) => ({
        rule,
        key: createHash('sha256')
          .update(JSON.stringify([rule.name, ...subjects[rule.name]]))
          .digest('hex'),
      }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /** One upsert: a new window, a free slot, or (slowing rules) a slot whose wait is over. */
  private async take(trx: Kysely<Schema>, { rule, key }: Slot, at: number): Promise<void> {
    const expired = sql<boolean>`sign_in_attempts.window_started_at <= ${at - rule.windowMs}`;
    const blockedUntil =
      rule.slowdownIntervalMs === null
        ? sql<number>`0`
        : sql<number>`case when ${expired} then 0 when sign_in_attempts.attempts + 1 >= ${rule.limit} then ${at + rule.slowdownIntervalMs} else sign_in_attempts.blocked_until end`;
    const allowed =
      rule.slowdownIntervalMs === null
        ? sql<boolean>`${expired} or sign_in_attempts.attempts < ${rule.limit}`
        : sql<boolean>`${expired} or sign_in_attempts.attempts < ${rule.limit} or sign_in_attempts.blocked_until <= ${at}`;
    const taken = await trx
      .insertInto('sign_in_attempts')
      .values({ key, attempts: 1, window_started_at: at, blocked_until: 0 })
      .onConflict((conflict) =>
        conflict
          .column('key')
          .doUpdateSet({
            attempts: sql<number>`case when ${expired} then 1 else sign_in_attempts.attempts + 1 end`,
            window_started_at: sql<number>`case when ${expired} then ${at} else sign_in_attempts.window_started_at end`,
            blocked_until: blockedUntil,
          })
          .where(allowed),
      )
      .returning('attempts')
      .executeTakeFirst();
    if (taken) return;
    const row = await trx.selectFrom('sign_in_attempts').select(['window_started_at', 'blocked_until']).where('key', '=', key).executeTakeFirstOrThrow();
    const until = rule.slowdownIntervalMs === null ? Number(row.window_started_at) + rule.windowMs : Number(row.blocked_until);
    // A concurrent attempt that read the clock a little later may have opened the window.
    throw new Refused(Math.min(until - at, rule.slowdownIntervalMs ?? rule.windowMs));
  }

  private async giveBack(slots: Slot[], db: Kysely<Schema>): Promise<void> {
    await inTransaction(db, async (trx) => {
      for (const { rule, key } of slots) {
        if (rule.name === 'account_from_address') {
          await trx.deleteFrom('sign_in_attempts').where('key', '=', key).execute();
        } else {
          await trx
            .updateTable('sign_in_attempts')
            .set({ attempts: sql<number>`attempts - 1` })
            .where('key', '=', key)
            .where('attempts', '>', 0)
            .execute();
        }
      }
    });
  }

  private async pruneExpired(at: number): Promise<void> {
    if (at - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = at;
    const longest = Math.max(...this.rules.map((rule) => rule.windowMs));
    await this.db
      .deleteFrom('sign_in_attempts')
      .where('window_started_at', '<=', at - longest)
      .where('blocked_until', '<=', at)
      .execute();
  }
}
