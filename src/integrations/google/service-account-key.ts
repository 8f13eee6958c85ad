import { createPrivateKey, type KeyObject } from 'node:crypto';
import { GoogleErrors } from './errors.ts';

/** A Google service-account key (the JSON file the console hands out), the parts a token grant needs. */
export interface ServiceAccountKey {
  projectId: string;
  clientEmail: string;
  privateKeyId: string | null;
  privateKey: KeyObject;
  /** As the key writes it: it is also the assertion's audience, which must match it exactly. */
  tokenUri: string;
}

/** A key file is a few KiB; anything far larger is not one. */
const MAX_KEY_TEXT = 64 * 1024;

const refuse = (reason: string) => GoogleErrors.GOOGLE_KEY_INVALID({ reason });

function field(record: Record<string, unknown>, name: string): string {
  const value = record[name];
  if (typeof value !== 'string' || value.trim() === '') throw refuse(`"${name}" is missing`);
  return value;
}

/**
 * Reads and checks a key: the refusal names the field at fault but never echoes the key. The
 * token URI is taken from the key (as Google's own libraries do not), so that a private or
 * air-gapped install, and the tests, can point the grant elsewhere; it must be http(s).
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
  if (text.length > MAX_KEY_TEXT) throw refuse(`it is larger than ${MAX_KEY_TEXT} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refuse('it is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw refuse('it is not a JSON object');
  const record = parsed as Record<string, unknown>;
  if (record.type !== 'service_account') throw refuse('"type" is not "service_account" (user credentials and other kinds are not accepted)');
  const clientEmail = field(record, 'client_email');
  if (!/^[^@\s]+@[^@\s]+$/.test(clientEmail)) throw refuse('"client_email" is not an e-mail address');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: field(record, 'private_key'), format: 'pem' });
  } catch {
    throw refuse('"private_key" is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw refuse('"private_key" is not an RSA key (RS256 needs one)');
  const tokenUri = field(record, 'token_uri');
  let url: URL;
  try {
    url = new URL(tokenUri);
  } catch {
    throw refuse('"token_uri" is not a URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw refuse('"token_uri" must be an http(s) URL without credentials');
  }
  const privateKeyId = typeof record.private_key_id === 'string' && record.private_key_id !== '' ? record.private_key_id : null;
  return { projectId: field(record, 'project_id'), clientEmail, privateKeyId, privateKey, tokenUri };
}
