import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets carry a recognisable prefix (as GitLab's `glpat-`) so that secret scanners and
 * people can tell what leaked; only their SHA-256 is stored.
 */
export const TOKEN_PREFIX = {
  personal: 'mypat-',
  project: 'myprt-',
  job: 'myjob-',
  session: 'mysess-',
} as const;

export type SecretKind = keyof typeof TOKEN_PREFIX;

export function newSecret(kind: SecretKind): string {
  return TOKEN_PREFIX[kind] + randomBytes(24).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** What a list may show of a secret: its prefix and a few characters, never enough to use it. */
export function secretHint(secret: string): string {
  return secret.slice(0, Math.min(secret.length, secret.indexOf('-') + 5));
}
