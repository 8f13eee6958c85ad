import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../secrets/secret-box.ts';

const PURPOSE = 'version archive links';

export interface ArchiveRef {
  projectId: number;
  modelId: number;
  version: number;
}

/** Where a signed link points, relative to the server's URL: it ends in `.tar.gz`, which KServe's storage initializer needs to unpack it. */
export const signedArchivePath = (ref: ArchiveRef) => `/api/v4/signed/archives/${ref.projectId}/${ref.modelId}/${ref.version}/model.tar.gz`;

/**
 * Signed, expiring links to a version's archive, for a downloader that holds no Modelyard
 * credential (KServe's storage initializer): the link itself is the credential, for one
 * version, until it expires. HMAC-SHA256 over the version and the expiry, with a key derived
 * from the secret keyring, so every replica signs and checks alike.
 */
export class ArchiveLinks {
  constructor(
    private readonly secrets: SecretBox,
    private readonly publicUrl: string,
  ) {}

  /** An absolute link, good until `expiresAt` (epoch seconds). */
  sign(ref: ArchiveRef, expiresAt: number): string {
    const keys = this.secrets.signingKeys(PURPOSE);
    const signature = mac(keys[keys.length - 1]!, ref, expiresAt);
    const query = new URLSearchParams({ expires: String(expiresAt), signature });
    return `${this.publicUrl.replace(/\/+$/, '')}${signedArchivePath(ref)}?${query}`;
  }

  /** Whether the signature is one of ours for this version and the link has not expired. */
  verify(ref: ArchiveRef, expiresAt: number, signature: string, nowSeconds: number): boolean {
    if (!Number.isInteger(expiresAt) || expiresAt < nowSeconds || !/^[0-9a-f]{64}$/.test(signature)) return false;
    const given = Buffer.from(signature, 'hex');
    return this.secrets.signingKeys(PURPOSE).some((key) => timingSafeEqual(Buffer.from(mac(key, ref, expiresAt), 'hex'), given));
  }
}

const mac = (key: Buffer, ref: ArchiveRef, expiresAt: number) => createHmac('sha256', key).update(`${ref.projectId}/${ref.modelId}/${ref.version}@${expiresAt}`).digest('hex');
