import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GoogleAccessTokens, REFRESH_MARGIN_MS } from '../../src/integrations/google/access-tokens.ts';
import { CLOUD_PLATFORM_SCOPE, signedAssertion } from '../../src/integrations/google/jwt-assertion.ts';
import { announcedMd5, md5Checked } from '../../src/integrations/google/md5-checked.ts';
import { parseServiceAccountKey, type ServiceAccountKey } from '../../src/integrations/google/service-account-key.ts';
import type { TokenGrant } from '../../src/integrations/google/token-grant.ts';
import { isAppError } from '../../src/shared/errors.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const KEY = {
  type: 'service_account',
  project_id: 'acme-ml',
  private_key_id: 'abc123',
  private_key: PEM,
  client_email: 'importer@acme-ml.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
};
const keyText = (changes: Record<string, unknown> = {}) => JSON.stringify({ ...KEY, ...changes });

function refusal(text: string): string {
  try {
    parseServiceAccountKey(text);
  } catch (error) {
    if (isAppError(error)) return `${error.kind}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('a service-account key', () => {
  it('is read with its account, project, key id and token URI', () => {
    const key = parseServiceAccountKey(keyText());
    expect(key).toMatchObject({ projectId: 'acme-ml', clientEmail: KEY.client_email, privateKeyId: 'abc123', tokenUri: KEY.token_uri });
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
  });

  it('is refused, as invalid input naming the field and never echoing the key, when it cannot be one', () => {
    const cases: [string, string][] = [
      ['not json', 'not JSON'],
      ['[1]', 'not a JSON object'],
      [keyText({ type: 'authorized_user' }), '"type"'],
      [keyText({ client_email: undefined }), '"client_email" is missing'],
      [keyText({ client_email: 'nobody' }), '"client_email"'],
      [keyText({ private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }), '"private_key" is not a PEM'],
      [keyText({ private_key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() }), 'not an RSA key'],
      [keyText({ token_uri: 'file:///etc/passwd' }), '"token_uri" must be an http(s) URL'],
      [keyText({ token_uri: 'https://user:pw@example.com/token' }), '"token_uri" must be an http(s) URL'],
      [keyText({ project_id: '' }), '"project_id" is missing'],
    ];
    for (const [text, reason] of cases) {
      const answer = refusal(text);
      expect(answer, text.slice(0, 40)).toMatch(/^invalid: The Google service account key is not usable/);
      expect(answer).toContain(reason);
      expect(answer).not.toContain('PRIVATE KEY');
    }
  });
});

describe('the JWT-bearer assertion', () => {
  it('is RS256, verifies with the public key, and claims iss, scope, aud (the token URI as written), iat and exp an hour later', () => {
    const key = parseServiceAccountKey(keyText({ token_uri: 'http://127.0.0.1:9/token' }));
    const jwt = signedAssertion(key, 1_700_000_000);
    const [header, claims, signature] = jwt.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'abc123' });
    expect(JSON.parse(Buffer.from(claims!, 'base64url').toString())).toEqual({
      iss: KEY.client_email,
      scope: CLOUD_PLATFORM_SCOPE,
      aud: 'http://127.0.0.1:9/token',
      iat: 1_700_000_000,
      exp: 1_700_003_600,
    });
    expect(verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature!, 'base64url'))).toBe(true);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), other, Buffer.from(signature!, 'base64url'))).toBe(false);
  });
});

describe('access tokens', () => {
  function counting(lifetimeSeconds = 3600): { grant: TokenGrant; calls: number[] } {
    const calls: number[] = [];
    const grant: TokenGrant = async (_key: ServiceAccountKey, at: number) => {
      calls.push(at);
      return { accessToken: `token-${calls.length}`, expiresAt: at + lifetimeSeconds * 1000 };
    };
    return { grant, calls };
  }

  it('are granted once and reused until shortly before they expire, then granted anew', async () => {
    let clock = 1_000_000;
    const { grant, calls } = counting();
    const tokens = new GoogleAccessTokens(grant, () => clock);
    const key = parseServiceAccountKey(keyText());
    expect(await tokens.token(key)).toBe('token-1');
    clock += 3600_000 - REFRESH_MARGIN_MS - 1;
    expect(await tokens.token(parseServiceAccountKey(keyText()))).toBe('token-1');
    clock += 2;
    expect(await tokens.token(key)).toBe('token-2');
    expect(calls).toHaveLength(2);
  });

  it('are held per key, shared by concurrent asks, and granted anew after forget', async () => {
    const { grant, calls } = counting();
    const tokens = new GoogleAccessTokens(grant, () => 5);
    const key = parseServiceAccountKey(keyText());
    const other = parseServiceAccountKey(keyText({ client_email: 'other@acme-ml.iam.gserviceaccount.com' }));
    expect(await Promise.all([tokens.token(key), tokens.token(key), tokens.token(key)])).toEqual(['token-1', 'token-1', 'token-1']);
    expect(await tokens.token(other)).toBe('token-2');
    tokens.forget(key);
    expect(await tokens.token(key)).toBe('token-3');
    expect(calls).toHaveLength(3);
  });
});

describe('Cloud Storage downloads', () => {
  const read = async (stream: Readable) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  const md5 = (data: Buffer) => createHash('md5').update(data).digest('base64');

  it('read the MD5 from x-goog-hash and pass a whole object whose bytes match it, refusing one that does not', async () => {
    const data = Buffer.from('model weights');
    expect(announcedMd5(`crc32c=yZRlqg==,md5=${md5(data)}`)).toBe(md5(data));
    expect(announcedMd5('crc32c=yZRlqg==')).toBeNull();
    expect(await read(md5Checked(Readable.from([data.subarray(0, 5), data.subarray(5)]), md5(data), 'm.bin'))).toEqual(data);
    await expect(read(md5Checked(Readable.from([data]), md5(Buffer.from('other')), 'm.bin'))).rejects.toThrow(/m.bin: its MD5 is .*, Cloud Storage announced/);
  });
});
