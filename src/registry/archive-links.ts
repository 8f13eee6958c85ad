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
 * Signed links to a version's archive for one environment, for a downloader that holds no
 * Modelyard credential (KServe's storage initializer, which downloads on every pod start):
 * the link itself is the credential. HMAC-SHA256 over the version and the environment, with a
 * key derived from the secret keyring, so every replica signs and checks alike.
 *
 * The link has no expiry of its own: it is good while the environment serves the version (the
 * route asks the deployments domain), so a pod that starts months after its deployment still
 * loads its model, re-applying the same deployment gives the same spec (no new revision), and
 * a link stops working the moment its environment moves on from the version.
 */
export class ArchiveLinks {
  constructor(
    private readonly secrets: SecretBox,
    private readonly publicUrl: string,
  ) {}

  /** An absolute link to the version's archive for the environment. */
  sign(ref: ArchiveRef, environmentId: number): string {
    const keys = this.secrets.signingKeys(PURPOSE);
    const signature = mac(keys[keys.length - 1]!, ref, environmentId);
    const query = new URLSearchParams({ environment: String(environmentId), signature });
    return `${this.publicUrl.replace(/\/+$/, '')}${signedArchivePath(ref)}?${query}`;
  }

  /** Whether the signature is one of ours (any key of the keyring) for this version and environment. */
  verify(ref: ArchiveRef, environmentId: number, signature: string): boolean {
    if (!/^[0-9a-f]{64}$/.test(signature)) return false;
    const given = Buffer.from(signature, 'hex');
    return this.secrets.signingKeys(PURPOSE).some((key) => timingSafeEqual(Buffer.from(mac(key, ref, environmentId), 'hex'), given));
  }
}

const mac = (key: Buffer, ref: ArchiveRef, environmentId: number) => createHmac('sha256', key).update(`${ref.projectId}/${ref.modelId}/${ref.version}@environment:${environmentId}`).digest('hex');
