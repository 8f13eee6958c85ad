import { createHash } from 'node:crypto';
import type { GrantedToken, TokenGrant } from './token-grant.ts';
import type { ServiceAccountKey } from './service-account-key.ts';

/** A token this close to its expiry is replaced: a long download must not start with one about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Access tokens per service account, held in memory until shortly before they expire, so that
 * the many requests of an import (listings, one download per file, each retry) grant once an
 * hour rather than each time. Concurrent asks for the same key share one grant. Keyed by a hash
 * of the key (token URI, account, private key), never by the key itself.
 */
export class GoogleAccessTokens {
  private readonly held = new Map<string, GrantedToken>();
  private readonly pending = new Map<string, Promise<GrantedToken>>();

  constructor(
    private readonly grant: TokenGrant,
    private readonly clock: () => number = Date.now,
  ) {}

  private static cacheKey(key: ServiceAccountKey): string {
    const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' });
    return createHash('sha256')
      .update(`${key.tokenUri}\n${key.clientEmail}\n${String(pem)}`)
      .digest('hex');
  }

  async token(key: ServiceAccountKey): Promise<string> {
    const id = GoogleAccessTokens.cacheKey(key);
    const at = this.clock();
    const held = this.held.get(id);
    if (held && held.expiresAt - REFRESH_MARGIN_MS > at) return held.accessToken;
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.grant(key, at).finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
    }
    const granted = await pending;
    // Lapsed tokens of keys no longer used go, so the map holds only live ones.
    for (const [other, token] of this.held) if (token.expiresAt <= at) this.held.delete(other);
    this.held.set(id, granted);
    return granted.accessToken;
  }

  /** A token the API refused (revoked meanwhile): the next ask grants a new one. */
  forget(key: ServiceAccountKey): void {
    this.held.delete(GoogleAccessTokens.cacheKey(key));
  }
}
