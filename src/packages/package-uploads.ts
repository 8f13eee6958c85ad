import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { StorageErrors, uploadNotFound } from '../storage/errors.ts';
import type { PackageFileRow, PackageRow, PackagesService, PackageType, UploadTarget } from './packages-service.ts';
import type { PackageUploadPartsTable, PackageUploadsTable } from './tables.ts';
import { PackageUploadErrors } from './upload-errors.ts';
import type { DeclaredPartChecks } from './part-digest.ts';
import { RunningUploadDigests, type PartClaim } from './running-upload-digests.ts';

export type PackageUploadRow = Selectable<PackageUploadsTable>;
export type PackageUploadPartRow = Selectable<PackageUploadPartsTable>;
/** A part as its PUT answers it: the row, and the CRC-32 of the bytes that arrived (not stored). */
export type ReceivedPart = PackageUploadPartRow & { crc32: string };

/** S3's own bounds: parts of 5 MiB to 5 GiB (the last one may be shorter), at most 10,000 of them. */
export const UPLOAD_LIMITS = {
  minPartBytes: 5 * 1024 * 1024,
  maxPartBytes: 5 * 1024 * 1024 * 1024,
  maxParts: 10_000,
  defaultPartBytes: 16 * 1024 * 1024,
  /** Within the day after which the S3 driver aborts a multipart upload as an orphan (cleanOrphans). */
  lifetimeMs: 24 * 3600 * 1000,
} as const;

export const partCount = (upload: Pick<PackageUploadRow, 'size' | 'part_size'>): number => Math.ceil(upload.size / upload.part_size);

/** Part `n`'s exact length: the part size, or what is left for the last one. */
function partLength(upload: PackageUploadRow, partNumber: number): number {
  const count = partCount(upload);
  return partNumber < count ? upload.part_size : upload.size - (count - 1) * upload.part_size;
}

function defaultPartSize(size: number): number {
  const mib = 1024 * 1024;
  return Math.max(UPLOAD_LIMITS.defaultPartBytes, Math.ceil(size / UPLOAD_LIMITS.maxParts / mib) * mib);
}

/**
 * Resumable multipart uploads of package files. A session is a row (so any replica takes any
 * part and an interrupted client asks which parts arrived) and a multipart upload in the blob
 * store (S3's own, or one staging file on disk that each part is written into at its offset).
 * Completion assembles the parts in the store,
 * checks the whole file's SHA-256 against the declared one, and records the file exactly as a
 * single upload does (PackagesService.record): same events, replacement and accounting.
 */
export class PackageUploads {
  private readonly digests = new RunningUploadDigests();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly store: BlobStore,
    private readonly packages: PackagesService,
  ) {}

  async create(access: ProjectAccess, target: UploadTarget, declared: { size: number; sha256?: string; partSize?: number }): Promise<PackageUploadRow> {
    const checked = this.packages.checkedTarget(target);
    if (declared.size > this.packages.maxUploadBytes) throw StorageErrors.FILE_TOO_LARGE({ maxBytes: this.packages.maxUploadBytes });
    const partSize = declared.partSize ?? defaultPartSize(declared.size);
    if (partSize < UPLOAD_LIMITS.minPartBytes || partSize > UPLOAD_LIMITS.maxPartBytes) {
      throw PackageUploadErrors.PART_SIZE_OUT_OF_RANGE({ min: UPLOAD_LIMITS.minPartBytes, max: UPLOAD_LIMITS.maxPartBytes });
    }
    const parts = partCount({ size: declared.size, part_size: partSize });
    if (parts > UPLOAD_LIMITS.maxParts) throw PackageUploadErrors.TOO_MANY_PARTS({ parts, max: UPLOAD_LIMITS.maxParts });
    const key = this.packages.newStoreKey(access);
    const storeUploadId = await this.store.createMultipart(key);
    const at = now();
    const row: PackageUploadRow = {
      id: randomUUID(),
      project_id: access.project.id,
      package_type: checked.type,
      package_name: checked.name,
      package_version: checked.version,
      file_name: checked.fileName,
      status: checked.status,
      size: declared.size,
      sha256: declared.sha256 ?? null,
      part_size: partSize,
      store_key: key,
      store_upload_id: storeUploadId,
      creator_id: access.caller.user?.id ?? null,
      created_at: at,
      expires_at: at + UPLOAD_LIMITS.lifetimeMs,
    };
    await this.db.insertInto('package_uploads').values(row).execute();
    this.digests.start(row.id);
    return row;
  }

  /**
   * The caller's own unexpired upload of a `type` package file in this project; anyone else's,
   * or one of the other type (reached through the other type's routes and ability), is as
   * missing as an unknown one.
   */
  async get(access: ProjectAccess, uploadId: string, type: PackageType): Promise<PackageUploadRow> {
    const row = await this.db.selectFrom('package_uploads').selectAll().where('id', '=', uploadId).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!row || row.package_type !== type || row.expires_at <= now() || row.creator_id !== (access.caller.user?.id ?? null)) throw uploadNotFound();
    return row;
  }

  parts(uploadId: string): Promise<PackageUploadPartRow[]> {
    return this.db.selectFrom('package_upload_parts').selectAll().where('upload_id', '=', uploadId).orderBy('part_number').execute();
  }

  /**
   * Stores one part. Its length must be the one the part size gives, and its bytes must have
   * the checksums sent with them, if any; a part that fails either is forgotten (the client
   * sends it again). The answer carries the part's CRC-32, for a client that checks it after
   * sending rather than declaring a digest first. The bytes also go into the whole file's
   * running SHA-256 when they come in order (running-upload-digests.ts).
   */
  async putPart(
    access: ProjectAccess,
    uploadId: string,
    type: PackageType,
    partNumber: number,
    body: Readable,
    contentLength: number | undefined,
    declared: DeclaredPartChecks,
  ): Promise<ReceivedPart> {
    const upload = await this.get(access, uploadId, type);
    const count = partCount(upload);
    if (partNumber > count) throw PackageUploadErrors.PART_NUMBER_OUT_OF_RANGE({ count });
    const expected = partLength(upload, partNumber);
    if (contentLength !== expected) throw PackageUploadErrors.PART_LENGTH_WRONG({ partNumber, expected });
    const claim = this.digests.claim(upload.id, partNumber);
    try {
      const part = await this.storePart(upload, partNumber, expected, body, contentLength, declared, claim);
      claim?.accepted(part.sha256);
      return part;
    } catch (error) {
      claim?.refused();
      throw error;
    }
  }

  private async storePart(
    upload: PackageUploadRow,
    partNumber: number,
    expected: number,
    body: Readable,
    contentLength: number,
    declared: DeclaredPartChecks,
    claim: PartClaim | undefined,
  ): Promise<ReceivedPart> {
    const forget = () => this.db.deleteFrom('package_upload_parts').where('upload_id', '=', upload.id).where('part_number', '=', partNumber).execute();
    const checked = new PartChecksums(claim);
    body.on('error', (error) => checked.destroy(error));
    let stored;
    try {
      stored = await this.store.putPart(upload.store_key, upload.store_upload_id, partNumber, body.pipe(checked), { maxBytes: expected, contentLength, offset: (partNumber - 1) * upload.part_size });
    } catch (error) {
      // The store may hold half of this part now, in place of an earlier whole one.
      await forget();
      throw error;
    }
    const crc = checked.crc32();
    if (stored.size !== expected || (declared.sha256 !== undefined && stored.sha256 !== declared.sha256) || (declared.crc32 !== undefined && crc !== declared.crc32)) {
      await forget();
      if (stored.size !== expected) throw PackageUploadErrors.PART_LENGTH_WRONG({ partNumber, expected });
      throw declared.sha256 !== undefined && stored.sha256 !== declared.sha256
        ? PackageUploadErrors.PART_DIGEST_MISMATCH({ partNumber, actual: stored.sha256 })
        : PackageUploadErrors.PART_CRC32_MISMATCH({ partNumber, actual: crc });
    }
    const part: PackageUploadPartRow = { upload_id: upload.id, part_number: partNumber, size: stored.size, sha256: stored.sha256, etag: stored.etag, created_at: now() };
    await this.db
      .insertInto('package_upload_parts')
      .values(part)
      .onConflict((oc) => oc.columns(['upload_id', 'part_number']).doUpdateSet({ size: part.size, sha256: part.sha256, etag: part.etag, created_at: part.created_at }))
      .execute();
    return { ...part, crc32: crc };
  }

  /**
   * Assembles the parts into the file; the session ends whether the file matched its declared
   * SHA-256 or not. `sha256` declares it now, if creation did not (else it must agree).
   */
  async complete(access: ProjectAccess, uploadId: string, type: PackageType, sha256?: string): Promise<{ pkg: PackageRow; file: PackageFileRow }> {
    const upload = await this.get(access, uploadId, type);
    const declared = upload.sha256 ?? sha256;
    if (!declared) throw PackageUploadErrors.FILE_DIGEST_MISSING();
    if (sha256 && sha256 !== declared) throw PackageUploadErrors.FILE_DIGEST_CONFLICT({ declared });
    const parts = await this.parts(upload.id);
    const received = new Set(parts.map((p) => p.part_number));
    const missing = Array.from({ length: partCount(upload) }, (_, i) => i + 1).filter((n) => !received.has(n));
    if (missing.length > 0) throw PackageUploadErrors.PARTS_MISSING({ missing });
    const hashed = this.digests.finish(
      upload.id,
      parts.map((p) => p.sha256),
    );
    const stored = await this.store.completeMultipart(
      upload.store_key,
      upload.store_upload_id,
      parts.map((p) => ({ partNumber: p.part_number, etag: p.etag })),
      { maxBytes: this.packages.maxUploadBytes, known: hashed === undefined ? undefined : { size: upload.size, sha256: hashed } },
    );
    const end = (db: Kysely<Schema>) => db.deleteFrom('package_uploads').where('id', '=', upload.id).execute();
    if (stored.sha256 !== declared || stored.size !== upload.size) {
      await this.store.delete(upload.store_key).catch(() => undefined);
      await end(this.db);
      throw PackageUploadErrors.FILE_DIGEST_MISMATCH({ actual: stored.sha256, declared });
    }
    const target = { type: upload.package_type, name: upload.package_name, version: upload.package_version, fileName: upload.file_name, status: upload.status };
    return this.packages.record(access, target, upload.store_key, stored, async (trx) => {
      await end(trx);
    });
  }

  async abort(access: ProjectAccess, uploadId: string, type: PackageType): Promise<void> {
    await this.discard(await this.get(access, uploadId, type));
  }

  private async discard(upload: PackageUploadRow): Promise<void> {
    this.digests.forget(upload.id);
    await this.store.abortMultipart(upload.store_key, upload.store_upload_id);
    await this.db.deleteFrom('package_uploads').where('id', '=', upload.id).execute();
  }

  /** Removes expired sessions with their parts; the server runs this periodically. */
  async removeExpired(batch = 100): Promise<number> {
    const expired = await this.db.selectFrom('package_uploads').selectAll().where('expires_at', '<=', now()).orderBy('expires_at').limit(batch).execute();
    for (const upload of expired) await this.discard(upload);
    return expired.length;
  }
}

/** Computes the CRC-32 of a part's bytes on their way to the store, and feeds them into the file's running SHA-256 if claimed. */
class PartChecksums extends Transform {
  private crc = 0;

  constructor(private readonly claim: PartClaim | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.crc = crc32(chunk, this.crc);
    this.claim?.hash.update(chunk);
    done(null, chunk);
  }

  /** As 8 lowercase hex digits, the form the part's answer and X-Content-CRC32 use. */
  crc32(): string {
    return this.crc.toString(16).padStart(8, '0');
  }
}
