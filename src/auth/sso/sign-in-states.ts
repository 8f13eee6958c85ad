import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { now } from '../../shared/clock.ts';
import { sha256Hex } from '../secrets.ts';

/** How long a person may take at the provider's pages. */
export const SIGN_IN_STATE_LIFETIME_MS = 10 * 60 * 1000;

export interface SignInState {
  provider: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/**
 * Sign-ins under way, kept in the database by a digest of their `state`, so the provider may send
 * the person back to any replica. Each is taken once: a replayed callback finds nothing.
 */
export class SignInStates {
  constructor(private readonly db: Kysely<Schema>) {}

  async put(state: string, value: SignInState): Promise<void> {
    const at = now();
    await this.db.deleteFrom('sso_sign_in_states').where('expires_at', '<=', at).execute();
    await this.db
      .insertInto('sso_sign_in_states')
      .values({ state_hash: sha256Hex(state), provider: value.provider, nonce: value.nonce, code_verifier: value.codeVerifier, return_to: value.returnTo, expires_at: at + SIGN_IN_STATE_LIFETIME_MS })
      .execute();
  }

  async take(state: string): Promise<SignInState | undefined> {
    const row = await this.db.deleteFrom('sso_sign_in_states').where('state_hash', '=', sha256Hex(state)).returningAll().executeTakeFirst();
    if (!row || row.expires_at <= now()) return undefined;
    return { provider: row.provider, nonce: row.nonce, codeVerifier: row.code_verifier, returnTo: row.return_to };
  }
}
