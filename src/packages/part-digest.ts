import type { IncomingHttpHeaders } from 'node:http';
import { PackageUploadErrors } from './upload-errors.ts';

/** The header a client names a part's SHA-256 with, in hex; RFC 9530's Content-Digest works as well. */
export const PART_SHA256_HEADER = 'x-content-sha256';

/** The SHA-256 sent with a part, as lowercase hex: `X-Content-SHA256: <hex>` or `Content-Digest: sha-256=:<base64>:`. */
export function partDigestOf(headers: IncomingHttpHeaders): string {
  const hex = headers[PART_SHA256_HEADER];
  if (typeof hex === 'string' && /^[0-9a-fA-F]{64}$/.test(hex)) return hex.toLowerCase();
  const digest = headers['content-digest'];
  const base64 = typeof digest === 'string' ? /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]{43}=):/.exec(digest)?.[1] : undefined;
  if (base64) return Buffer.from(base64, 'base64').toString('hex');
  throw PackageUploadErrors.PART_DIGEST_MISSING();
}
