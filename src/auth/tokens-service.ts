import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { recordAudit } from '../events/audit-log.ts';
import { now } from '../shared/clock.ts';
import { parseDate } from '../shared/dates.ts';
import { invalid } from '../shared/errors.ts';
import { inTransaction } from '../db/transaction.ts';
import { tokenNotFound } from './errors.ts';
import { TOKEN_SCOPES, type Caller, type CallerUser, type TokenScope } from './caller.ts';
import { CALLER_USER_COLUMNS, splitCallerUser } from './users-service.ts';
import { newSecret, secretHint, sha256Hex } from './secrets.ts';
import type { TokensTable } from './tables.ts';

export type TokenRow = Selectable<TokensTable>;

export interface NewToken {
  name: string;
  scopes: readonly string[];
  /** ISO date (`2027-01-31`, GitLab's form) or date-time; null for no expiry. */
  expiresAt?: string | null;
}

/** Writing `last_used_at` on every request would turn each read into a write; once a minute is enough. */
const LAST_USED_GRANULARITY_MS = 60_000;

export function parseScopes(scopes: readonly string[]): TokenScope[] {
  if (scopes.length === 0) throw invalid('scopes is missing: give at least one of ' + TOKEN_SCOPES.join(', '));
  const unknown = scopes.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw invalid(`scopes does not have a valid value: ${unknown.join(', ')}`);
  return [...new Set(scopes)] as TokenScope[];
}

export function parseExpiry(value: string | null | undefined): number | null {
  if (value == null || value === '') return null;
  const ms = parseDate(value, 'expires_at');
  if (ms <= now()) throw invalid('expires_at must be in the future');
  return ms;
}

export type TokenLookup = { ok: true; token: TokenRow; user: CallerUser | null } | { ok: false; reason: 'unknown' | 'revoked' | 'expired'; token?: TokenRow };

export class TokensService {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Creates a token and returns its secret, which is never stored and cannot be shown again.
   * `secret` is only passed for MODELYARD_INITIAL_ADMIN_TOKEN, where the operator chose it.
   */
  async create(
    owner: { userId: number; kind: 'personal' | 'project'; projectId?: number | null },
    input: NewToken,
    caller: Caller | null,
    db: Kysely<Schema> = this.db,
    secret: string = newSecret(owner.kind),
  ): Promise<{ secret: string; row: TokenRow }> {
    const name = input.name.trim();
    if (name === '' || name.length > 255) throw invalid('name must be 1 to 255 characters');
    const scopes = parseScopes(input.scopes);
    const expiresAt = parseExpiry(input.expiresAt);
    // The token and its audit entry are one change.
    const row = await inTransaction(db, async (trx) => {
      const inserted = await trx
        .insertInto('tokens')
        .values({
          user_id: owner.userId,
          kind: owner.kind,
          name,
          token_hash: sha256Hex(secret),
          token_hint: secretHint(secret),
          scopes: scopes.join(','),
          project_id: owner.projectId ?? null,
          expires_at: expiresAt,
          revoked_at: null,
          last_used_at: null,
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, caller, {
        action: owner.kind === 'project' ? 'project_access_token.created' : 'personal_access_token.created',
        projectId: owner.projectId ?? null,
        targetType: 'token',
        targetId: inserted.id,
        details: { name, scopes, user_id: owner.userId, expires_at: inserted.expires_at },
      });
      return inserted;
    });
    return { secret, row };
  }

  /** The token of a secret, with its user (null when missing or blocked) read in the same statement. */
  async lookup(secret: string): Promise<TokenLookup> {
    const row = await this.db
      .selectFrom('tokens')
      .leftJoin('users', 'users.id', 'tokens.user_id')
      .selectAll('tokens')
      .select(CALLER_USER_COLUMNS)
      .where('tokens.token_hash', '=', sha256Hex(secret))
      .executeTakeFirst();
    if (!row) return { ok: false, reason: 'unknown' };
    const { own: token, user } = splitCallerUser(row);
    if (token.revoked_at !== null) return { ok: false, reason: 'revoked', token };
    if (token.expires_at !== null && token.expires_at <= now()) return { ok: false, reason: 'expired', token };
    return { ok: true, token, user };
  }

  async touch(token: TokenRow): Promise<void> {
    const at = now();
    if (token.last_used_at !== null && at - token.last_used_at < LAST_USED_GRANULARITY_MS) return;
    await this.db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', token.id).execute();
  }

  async listForUser(userId: number, offset: number, limit: number) {
    const base = this.db.selectFrom('tokens').where('user_id', '=', userId).where('kind', '=', 'personal');
    const [count, rows] = await Promise.all([base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(), base.selectAll().orderBy('id').offset(offset).limit(limit).execute()]);
    return { total: Number(count.n), items: rows };
  }

  async listForProject(projectId: number, offset: number, limit: number) {
    const base = this.db.selectFrom('tokens').where('project_id', '=', projectId).where('kind', '=', 'project');
    const [count, rows] = await Promise.all([base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(), base.selectAll().orderBy('id').offset(offset).limit(limit).execute()]);
    return { total: Number(count.n), items: rows };
  }

  async getById(id: number): Promise<TokenRow> {
    const row = await this.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw tokenNotFound();
    return row;
  }

  /** Revokes; revoking twice is harmless and audited once. True when this call revoked it. */
  async revoke(token: TokenRow, caller: Caller | null, db: Kysely<Schema> = this.db): Promise<boolean> {
    if (token.revoked_at !== null) return false;
    return inTransaction(db, async (trx) => {
      const revoked = await trx.updateTable('tokens').set({ revoked_at: now() }).where('id', '=', token.id).where('revoked_at', 'is', null).executeTakeFirst();
      // A concurrent revocation got there first and wrote the entry.
      if (Number(revoked.numUpdatedRows) === 0) return false;
      await recordAudit(trx, caller, {
        action: token.kind === 'project' ? 'project_access_token.revoked' : 'personal_access_token.revoked',
        projectId: token.project_id,
        targetType: 'token',
        targetId: token.id,
        details: { name: token.name, user_id: token.user_id },
      });
      return true;
    });
  }
}
