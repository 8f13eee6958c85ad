import { OutboundRefusedError, type OutboundPolicy } from '../../outbound/outbound-policy.ts';
import { outboundPostForm } from '../../outbound/outbound-post.ts';
import { GoogleErrors } from './errors.ts';
import { signedAssertion } from './jwt-assertion.ts';
import type { ServiceAccountKey } from './service-account-key.ts';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface GrantedToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** One exchange of a key for a token; injectable so that caching is tested without a network. */
export type TokenGrant = (key: ServiceAccountKey, atMs: number) => Promise<GrantedToken>;

/**
 * The JWT-bearer grant (RFC 7523 §2.1) at the key's token URI, through the outbound policy.
 * Google answers `{access_token, expires_in, token_type}` or an OAuth error body
 * `{error, error_description}` (RFC 6749 §5.2), which becomes a refusal naming it; 5xx and broken
 * connections are "unavailable" (another try may pass).
 */
export function jwtBearerGrant(policy: OutboundPolicy): TokenGrant {
  return async (key, atMs) => {
    const assertion = signedAssertion(key, Math.floor(atMs / 1000));
    let answer;
    try {
      answer = await outboundPostForm(policy, new URL(key.tokenUri), new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }));
    } catch (error) {
      if (error instanceof OutboundRefusedError) throw GoogleErrors.GOOGLE_ENDPOINT_NOT_ALLOWED({ endpoint: new URL(key.tokenUri).origin });
      throw GoogleErrors.GOOGLE_TOKEN_UNAVAILABLE({ tokenUri: key.tokenUri, detail: (error as Error).message });
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(answer.text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = {};
    }
    if (answer.status >= 500) throw GoogleErrors.GOOGLE_TOKEN_UNAVAILABLE({ tokenUri: key.tokenUri, detail: `it answered ${answer.status}` });
    if (answer.status !== 200 || typeof body.access_token !== 'string' || body.access_token === '') {
      const error = typeof body.error === 'string' ? body.error : `HTTP ${answer.status}`;
      const description = typeof body.error_description === 'string' ? body.error_description.slice(0, 500) : answer.status === 200 ? 'the answer has no access_token' : '';
      throw GoogleErrors.GOOGLE_TOKEN_REFUSED({ tokenUri: key.tokenUri, account: key.clientEmail, error, description });
    }
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    return { accessToken: body.access_token, expiresAt: atMs + lifetime * 1000 };
  };
}
