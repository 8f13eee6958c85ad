import type { IncomingHttpHeaders } from 'node:http';
import { PackageUploadErrors } from './upload-errors.ts';

/** The header a client names a part's SHA-256 with, in hex; RFC 9530's Content-Digest works as well. */
export const PART_SHA256_HEADER = 'x-content-sha256';
/** The header a client names a part's CRC-32 (IEEE, as zlib's) with, in 8 hex digits. */
export const PART_CRC32_HEADER = 'x-content-crc32';

/** What a client declared a part's bytes to be, if anything: the part is refused if they differ. */
export interface DeclaredPartChecks {
  /** Lowercase hex. */
  sha256?: string;
  /** 8 lowercase hex digits. */
  crc32?: string;
}

/**
 * The checksums sent with a part: `X-Content-SHA256: <hex>` or `Content-Digest: sha-256=:<base64>:`,
 * and `X-Content-CRC32: <8 hex>`. None is needed: a client that hashes while it sends compares
 * the CRC-32 in the part's answer instead, and the whole file's SHA-256 is checked at completion.
 * An X-Content-SHA256 or X-Content-CRC32 that is present but malformed is refused rather than ignored.
 */
export function partChecksOf(headers: IncomingHttpHeaders): DeclaredPartChecks {
  const checks: DeclaredPartChecks = {};
  const hex = headers[PART_SHA256_HEADER];
  const digest = headers['content-digest'];
  if (hex !== undefined) {
    if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) throw PackageUploadErrors.PART_DIGEST_MALFORMED();
    checks.sha256 = hex.toLowerCase();
  } else if (typeof digest === 'string') {
    // Content-Digest may name other algorithms only; those are not checked here.
    const base64 = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]{43}=):/.exec(digest)?.[1];
    if (base64) checks.sha256 = Buffer.from(base64, 'base64').toString('hex');
  }
  const crc = headers[PART_CRC32_HEADER];
  if (crc !== undefined) {
    if (typeof crc !== 'string' || !/^[0-9a-fA-F]{8}$/.test(crc)) throw PackageUploadErrors.PART_DIGEST_MALFORMED();
    checks.crc32 = crc.toLowerCase();
  }
  return checks;
}
