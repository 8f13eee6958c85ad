import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { secretUnreadable } from './errors.ts';
import type { SecretKey } from './secret-key.ts';

/** Where the keys come from: MODELYARD_SECRET_KEY or the key file in the data folder. */
export interface KeySource {
  /** Oldest first; the last one seals, all of them open. */
  keys(): readonly SecretKey[];
  /** Picks up keys another process added (a rotation); cheap when nothing changed. */
  refresh(): void;
}

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** `v1:<key id>:<iv>:<ciphertext and tag>`, the last two in base64url. */
const SEALED = /^v1:([0-9a-f]{16}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22,})$/;

/**
 * Seals the credentials Modelyard must use later (webhook signing secrets, CI variables,
 * tokens to other services) with AES-256-GCM. The context (table, column and row) is
 * authenticated with the value, so a sealed value copied into another row, or another column,
 * does not open. Credentials Modelyard only verifies are hashed instead (src/auth/secrets.ts).
 */
export class SecretBox {
  constructor(private readonly source: KeySource) {}

  /** The key new values are sealed with. */
  sealingKey(): SecretKey {
    const keys = this.source.keys();
    const newest = keys[keys.length - 1];
    if (!newest) throw new Error('the keyring holds no key');
    return newest;
  }

  keyIds(): string[] {
    return this.source.keys().map((k) => k.id);
  }

  seal(plaintext: string, context: string): string {
    this.source.refresh();
    const key = this.sealingKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(key.id, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${FORMAT}:${key.id}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const parts = SEALED.exec(sealed);
    if (!parts) throw secretUnreadable(context, 'it is not a sealed value');
    const [, keyId, ivText, bodyText] = parts as unknown as [string, string, string, string];
    const key = this.find(keyId);
    if (!key) throw secretUnreadable(context, `it was sealed with key ${keyId}, which this server does not hold (MODELYARD_SECRET_KEY or the key file)`);
    const body = Buffer.from(bodyText, 'base64url');
    if (body.length < TAG_BYTES) throw secretUnreadable(context, 'it is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(ivText, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(keyId, context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw secretUnreadable(context, 'it was altered or belongs to another row');
    }
  }

  /** Whether `value` is a value this keyring sealed for `context` (and not, say, a plaintext). */
  opens(value: string, context: string): boolean {
    try {
      this.open(value, context);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Keys for signing (HMAC) what Modelyard hands out and later checks, such as expiring links,
   * one per purpose, derived from the keyring's keys: the last one signs, all of them verify
   * (a link signed before a rotation stays good until it expires).
   */
  signingKeys(purpose: string): Buffer[] {
    this.source.refresh();
    return this.source.keys().map((k) => createHmac('sha256', k.key).update(`modelyard signing key: ${purpose}`).digest());
  }

  /** The key a sealed value names, without opening it; null for anything else. */
  static keyIdOf(sealed: string): string | null {
    return SEALED.exec(sealed)?.[1] ?? null;
  }

  private find(keyId: string): SecretKey | undefined {
    const held = this.source.keys().find((k) => k.id === keyId);
    if (held) return held;
    // A rotation in another process may have added the key since this one loaded the keyring.
    this.source.refresh();
    return this.source.keys().find((k) => k.id === keyId);
  }
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${FORMAT}:${keyId}:${context}`, 'utf8');
}

/** A fixed list of keys (MODELYARD_SECRET_KEY, tests): nothing to refresh. */
export function fixedKeys(keys: readonly SecretKey[]): KeySource {
  if (keys.length === 0) throw new Error('a keyring needs at least one key');
  return { keys: () => keys, refresh: () => undefined };
}
