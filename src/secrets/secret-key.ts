import { createHmac, randomBytes } from 'node:crypto';

/** AES-256 keys are 32 bytes. */
export const SECRET_KEY_BYTES = 32;

/**
 * One key of the keyring. Its id is derived from the key itself, so the same key gets the same
 * id whether it comes from MODELYARD_SECRET_KEY or from the key file, on every replica, and an
 * id reveals nothing about the key.
 */
export interface SecretKey {
  id: string;
  key: Buffer;
}

export function secretKeyOf(key: Buffer): SecretKey {
  if (key.length !== SECRET_KEY_BYTES) throw new Error(`a secret key is ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
  return { id: createHmac('sha256', key).update('modelyard secret key id').digest('hex').slice(0, 16), key };
}

export function newSecretKey(): SecretKey {
  return secretKeyOf(randomBytes(SECRET_KEY_BYTES));
}

/** 32 bytes in base64 are 43 characters and one `=`; the URL-safe alphabet is accepted too. */
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** Reads one base64 key; null when it is not 32 bytes of base64. The text is never echoed, it is a secret. */
export function parseSecretKeyText(text: string): SecretKey | null {
  const trimmed = text.trim();
  if (!BASE64_KEY.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === SECRET_KEY_BYTES ? secretKeyOf(bytes) : null;
}

export function secretKeyText(key: SecretKey): string {
  return key.key.toString('base64');
}
