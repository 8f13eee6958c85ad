import { sign } from 'node:crypto';
import type { ServiceAccountKey } from './service-account-key.ts';

/** The scope every Google Cloud API accepts; finer access is the service account's IAM roles. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Google accepts assertions valid for an hour at most. */
const LIFETIME_SECONDS = 3600;

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * The JWT a service account presents to its token URI (RFC 7523 §2.1, Google's "Using OAuth 2.0
 * for server to server applications"): RS256, issued by the account's e-mail, addressed to the
 * token URI, for the cloud-platform scope, valid from now for an hour.
 */
export function signedAssertion(key: ServiceAccountKey, issuedAtSeconds: number, scope = CLOUD_PLATFORM_SCOPE): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(key.privateKeyId === null ? {} : { kid: key.privateKeyId }) };
  const claims = { iss: key.clientEmail, scope, aud: key.tokenUri, iat: issuedAtSeconds, exp: issuedAtSeconds + LIFETIME_SECONDS };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${base64url(sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey))}`;
}
