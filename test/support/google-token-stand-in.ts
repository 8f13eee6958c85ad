import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Google's OAuth 2.0 token endpoint, as it answers a service account's
 * JWT-bearer grant (RFC 7523 §2.1; Google's "Using OAuth 2.0 for server to server
 * applications"): `POST /token` with a form body `grant_type=urn:ietf:params:oauth:grant-type:
 * jwt-bearer&assertion=<JWT>`. The assertion must be RS256, signed by the key of the account it
 * names as `iss`, addressed (`aud`) to this endpoint's token URI, not expired, and ask for a
 * scope; then it answers `{access_token, expires_in, token_type: "Bearer"}`, otherwise 400
 * `{error: "invalid_grant" | "unsupported_grant_type" | "invalid_scope", error_description}`.
 */
export interface ServiceAccount {
  email: string;
  /** The key file's JSON, as the console hands it out, pointing at this stand-in. */
  keyJson: string;
  publicKey: KeyObject;
}

export interface GoogleTokenStandIn {
  tokenUri: string;
  port: number;
  /** A service account with a fresh RSA key, known to the endpoint. */
  account(email: string, projectId?: string): ServiceAccount;
  /** The account a token was issued to, while it is valid; null otherwise. */
  accountOf(accessToken: string): string | null;
  /** Keys of this account are refused from now on (as a deleted key is). */
  revoke(email: string): void;
  /** Grants answered so far (successful or not). */
  grants: { email: string | null; granted: boolean }[];
  close(): Promise<void>;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export async function startGoogleTokenStandIn(): Promise<GoogleTokenStandIn> {
  const accounts = new Map<string, KeyObject>();
  const revoked = new Set<string>();
  const issued = new Map<string, { email: string; expiresAt: number }>();
  const grants: GoogleTokenStandIn['grants'] = [];
  let tokenUri = '';

  const refuse = (response: http.ServerResponse, error: string, description: string) => {
    response.writeHead(400, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error, error_description: description }));
  };

  function checkAssertion(assertion: string): { email: string } | { error: string; description: string } {
    const parts = assertion.split('.');
    if (parts.length !== 3) return { error: 'invalid_grant', description: 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe' };
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return { error: 'invalid_grant', description: 'Invalid JWT Signature.' };
    }
    const email = String(claims.iss ?? '');
    const key = accounts.get(email);
    if (header.alg !== 'RS256' || key === undefined || revoked.has(email)) return { error: 'invalid_grant', description: 'Invalid JWT Signature.' };
    if (!verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2]!, 'base64url'))) return { error: 'invalid_grant', description: 'Invalid JWT Signature.' };
    if (claims.aud !== tokenUri) return { error: 'invalid_grant', description: 'Invalid JWT: Failed audience check.' };
    const nowSeconds = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp <= nowSeconds || iat > nowSeconds + 300 || exp - iat > 3600) {
      return { error: 'invalid_grant', description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.' };
    }
    if (typeof claims.scope !== 'string' || claims.scope === '') return { error: 'invalid_scope', description: 'Empty or missing scope not allowed.' };
    return { email };
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || new URL(request.url ?? '/', 'http://x').pathname !== '/token') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        refuse(response, 'invalid_request', 'Invalid content type');
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.get('grant_type') !== JWT_BEARER) {
        refuse(response, 'unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`);
        return;
      }
      const verdict = checkAssertion(form.get('assertion') ?? '');
      if ('error' in verdict) {
        grants.push({ email: null, granted: false });
        refuse(response, verdict.error, verdict.description);
        return;
      }
      const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
      issued.set(accessToken, { email: verdict.email, expiresAt: Date.now() + 3600_000 });
      grants.push({ email: verdict.email, granted: true });
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ access_token: accessToken, expires_in: 3599, token_type: 'Bearer' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  tokenUri = `http://127.0.0.1:${port}/token`;

  return {
    tokenUri,
    port,
    grants,
    account(email, projectId = 'acme-ml') {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      accounts.set(email, publicKey);
      const keyJson = JSON.stringify({
        type: 'service_account',
        project_id: projectId,
        private_key_id: randomBytes(20).toString('hex'),
        private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        client_email: email,
        client_id: '1234567890',
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: tokenUri,
      });
      return { email, keyJson, publicKey };
    },
    accountOf(accessToken) {
      const entry = issued.get(accessToken);
      return entry && entry.expiresAt > Date.now() && !revoked.has(entry.email) ? entry.email : null;
    },
    revoke(email) {
      revoked.add(email);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
