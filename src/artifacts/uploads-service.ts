import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import { sha256Hex } from '../auth/secrets.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { now } from '../shared/clock.ts';
import { AppError, invalid } from '../shared/errors.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { uploadNotFound } from '../storage/errors.ts';
import { safeRelativePath } from '../storage/safe-path.ts';
import { newArtifactStoreKey, type ArtifactsService } from './artifacts-service.ts';
import { wrongUploadToken } from './errors.ts';

export const UPLOAD_TOKEN_HEADER = 'x-modelyard-upload-token';
const UPLOAD_LIFETIME_MS = 24 * 3600 * 1000;
const MAX_PARTS = 10_000;

/**
 * MLflow's proxied multipart upload. The client PUTs each part to the URL it was given, with
 * only the headers it was given (not its tracking credentials), so each upload carries its own
 * secret: a capability for that one upload, stored hashed and valid for a day. Upload state
 * lives in the database and the store, so any replica can take any part.
 */
export class UploadsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly store: BlobStore,
    private readonly artifacts: ArtifactsService,
    private readonly publicUrl: string,
    private readonly maxUploadBytes: number,
  ) {}

  async create(access: ProjectAccess, rawPath: string, numParts: number) {
    const path = safeRelativePath(rawPath);
    if (!Number.isSafeInteger(numParts) || numParts < 1 || numParts > MAX_PARTS) throw invalid(`num_parts must be between 1 and ${MAX_PARTS}`);
    const key = newArtifactStoreKey(access.project.id);
    const storeUploadId = await this.store.createMultipart(key);
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const at = now();
    await this.db
      .insertInto('uploads')
      .values({
        id,
        project_id: access.project.id,
        target: path,
        store_key: key,
        store_upload_id: storeUploadId,
        secret_hash: sha256Hex(secret),
        num_parts: numParts,
        creator_id: access.caller.user?.id ?? null,
        created_at: at,
        expires_at: at + UPLOAD_LIFETIME_MS,
      })
      .execute();
    return {
      uploadId: id,
      credentials: Array.from({ length: numParts }, (_, i) => ({
        url: `${this.publicUrl}/api/v4/uploads/${id}/parts/${i + 1}`,
        part_number: i + 1,
        headers: { [UPLOAD_TOKEN_HEADER]: secret },
      })),
    };
  }

  private async open(uploadId: string) {
    const row = /^[0-9a-f-]{36}$/.test(uploadId) ? await this.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirst() : undefined;
    if (!row || row.expires_at <= now()) throw uploadNotFound();
    return row;
  }

  async putPart(uploadId: string, secret: string | undefined, partNumber: number, body: Readable, contentLength: number | undefined) {
    const row = await this.open(uploadId);
    if (!secret || sha256Hex(secret) !== row.secret_hash) throw wrongUploadToken();
    if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > row.num_parts) throw invalid(`part number must be between 1 and ${row.num_parts}`);
    return this.store.putPart(row.store_key, row.store_upload_id, partNumber, body, { maxBytes: this.maxUploadBytes, contentLength });
  }

  private async ownUpload(access: ProjectAccess, rawPath: string, uploadId: string) {
    const path = safeRelativePath(rawPath);
    const row = await this.open(uploadId);
    if (row.project_id !== access.project.id || row.target !== path) throw uploadNotFound();
    return row;
  }

  async complete(access: ProjectAccess, rawPath: string, uploadId: string, parts: { partNumber: number; etag: string }[]) {
    const row = await this.ownUpload(access, rawPath, uploadId);
    const numbers = parts.map((p) => p.partNumber).sort((a, b) => a - b);
    if (numbers.length !== row.num_parts || numbers.some((n, i) => n !== i + 1)) {
      throw invalid(`complete needs every part from 1 to ${row.num_parts} exactly once`);
    }
    const stored = await this.store.completeMultipart(row.store_key, row.store_upload_id, parts, { maxBytes: this.maxUploadBytes }).catch(async (error: unknown) => {
      if (error instanceof AppError && error.kind === 'too_large') await this.db.deleteFrom('uploads').where('id', '=', row.id).execute();
      throw error;
    });
    // The file appears and its upload ends together: a completed upload is never left half-recorded.
    await inTransaction(this.db, async (trx) => {
      await this.artifacts.record(access, row.target, row.store_key, stored, trx);
      await trx.deleteFrom('uploads').where('id', '=', row.id).execute();
    });
    return stored;
  }

  async abort(access: ProjectAccess, rawPath: string, uploadId: string): Promise<void> {
    const row = await this.ownUpload(access, rawPath, uploadId);
    await this.store.abortMultipart(row.store_key, row.store_upload_id);
    await this.db.deleteFrom('uploads').where('id', '=', row.id).execute();
  }
}
