import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { PageWindow } from '../http/pagination.ts';
import { now } from '../shared/clock.ts';
import { forbidden, invalid } from '../shared/errors.ts';
import type { Caller } from './caller.ts';
import { ROTATED_TOKEN_DAYS } from './contract.ts';
import { tokenNotFound } from './errors.ts';
import { actsAsAdmin, signedInUser } from './policy.ts';
import type { NewToken, TokenRow, TokensService } from './tokens-service.ts';
import type { UsersService } from './users-service.ts';

const DAY_MS = 24 * 3600 * 1000;

const isActive = (token: TokenRow) => token.revoked_at === null && (token.expires_at === null || token.expires_at > now());

/**
 * The personal access token use cases of the native API. A token is visible to its owner and
 * to site administrators; anyone else is told it does not exist.
 */
export class PersonalTokensService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  /** The caller's own tokens, or (administrators only) another user's. */
  async list(caller: Caller, userId: number | undefined, window: PageWindow): Promise<{ total: number; items: TokenRow[] }> {
    const me = signedInUser(caller);
    const owner = userId ?? me.id;
    if (owner !== me.id && !actsAsAdmin(caller)) throw forbidden('403 Forbidden: only administrators can list the tokens of others');
    return this.tokens.listForUser(owner, window.offset, window.limit);
  }

  /** The token the request was made with. */
  async current(caller: Caller): Promise<TokenRow> {
    if (caller.tokenId === null) throw tokenNotFound();
    return this.tokens.getById(caller.tokenId);
  }

  async get(caller: Caller, tokenId: number): Promise<TokenRow> {
    const token = await this.tokens.getById(tokenId);
    if (token.kind !== 'personal') throw tokenNotFound();
    if (token.user_id !== caller.user?.id && !actsAsAdmin(caller)) throw tokenNotFound();
    return token;
  }

  async revokeCurrent(caller: Caller): Promise<void> {
    if (caller.tokenId === null) throw invalid('this request was not made with a token');
    await this.tokens.revoke(await this.tokens.getById(caller.tokenId), caller);
  }

  async revoke(caller: Caller, tokenId: number): Promise<void> {
    await this.tokens.revoke(await this.get(caller, tokenId), caller);
  }

  /**
   * GitLab's rotation: the token is revoked and a new one with its name and scopes is made, in one
   * transaction, so that a script never holds two live secrets nor none. Expiry: as given, else a
   * week from now.
   */
  async rotate(caller: Caller, tokenId: number, expiresAt: string | null | undefined): Promise<{ secret: string; row: TokenRow }> {
    const token = await this.get(caller, tokenId);
    if (!isActive(token)) throw invalid('only an active token can be rotated');
    const expiry = expiresAt ?? new Date(now() + ROTATED_TOKEN_DAYS * DAY_MS).toISOString().slice(0, 10);
    return inTransaction(this.db, async (trx) => {
      // Two rotations at once: the one that did not revoke it makes no successor either.
      if (!(await this.tokens.revoke(token, caller, trx))) throw invalid('only an active token can be rotated');
      return this.tokens.create({ userId: token.user_id, kind: 'personal' }, { name: token.name, scopes: token.scopes.split(','), expiresAt: expiry }, caller, trx);
    });
  }

  async createOwn(caller: Caller, input: NewToken): Promise<{ secret: string; row: TokenRow }> {
    // Bots never get here: user:tokens-write is for a person's own credentials only.
    const me = signedInUser(caller);
    return this.tokens.create({ userId: me.id, kind: 'personal' }, input, caller);
  }

  /** An administrator makes a token for someone (GitLab's `POST /users/:id/personal_access_tokens`). */
  async createFor(caller: Caller, userId: number, input: NewToken): Promise<{ secret: string; row: TokenRow }> {
    const user = await this.users.getById(userId);
    if (user.is_bot) throw invalid('bot users get tokens through their project');
    return this.tokens.create({ userId: user.id, kind: 'personal' }, input, caller);
  }
}
