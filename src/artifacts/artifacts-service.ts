import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { escapeLike } from '../db/like.ts';
import { inTransaction } from '../db/transaction.ts';
import { now } from '../shared/clock.ts';
import { deleteBlobsLater } from '../storage/blob-deletions.ts';
import type { BlobStore, StoredBlob } from '../storage/blob-store.ts';
import { fileNotFound } from '../storage/errors.ts';
import { safeRelativePath } from '../storage/safe-path.ts';
import { ArtifactsErrors } from './errors.ts';
import type { DownloadableFile } from '../http/download.ts';

export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  size?: number;
}

/**
 * A fresh place in the store for one upload of a project's file. Never the file's path: an upload
 * to a path that has a file must not write over the bytes a reader or a backup is copying; the old
 * blob is deleted later (src/storage/blob-deletions.ts).
 */
export function newArtifactStoreKey(projectId: number): string {
  return `projects/${projectId}/artifact-blobs/${randomUUID()}`;
}

/** How often recording a file may find its row changed under it before giving up (it never should twice). */
const RECORD_ATTEMPTS = 10;

/**
 * A project's file tree (run and logged-model artifacts). Contents go to the BlobStore; the
 * database holds one row per complete file, which is what makes a file visible, and what
 * listings and usage reports read.
 */
export class ArtifactsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly store: BlobStore,
    private readonly maxUploadBytes: number,
  ) {}

  /** A file and a directory cannot share a name: refuse `a/b` when `a` is a file, and `a` when `a/…` exists. */
  private async assertNoClash(projectId: number, path: string): Promise<void> {
    const segments = path.split('/');
    const ancestors = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
    if (ancestors.length > 0) {
      const file = await this.db.selectFrom('artifacts').select('path').where('project_id', '=', projectId).where('path', 'in', ancestors).executeTakeFirst();
      if (file) throw ArtifactsErrors.PATH_CLASH({ path, file: file.path });
    }
    const child = await this.db
      .selectFrom('artifacts')
      .select('path')
      .where('project_id', '=', projectId)
      .where(sql<boolean>`path like ${`${escapeLike(path)}/%`} escape '\\'`)
      .limit(1)
      .executeTakeFirst();
    if (child) throw ArtifactsErrors.PATH_CLASH({ path, isDirectory: true });
  }

  async put(access: ProjectAccess, rawPath: string, body: Readable, contentLength?: number): Promise<StoredBlob & { path: string }> {
    const path = safeRelativePath(rawPath);
    await this.assertNoClash(access.project.id, path);
    const key = newArtifactStoreKey(access.project.id);
    const stored = await this.store.put(key, body, { maxBytes: this.maxUploadBytes, contentLength });
    try {
      await this.record(access, path, key, stored);
    } catch (error) {
      await this.store.delete(key).catch(() => undefined);
      throw error;
    }
    return { ...stored, path };
  }

  /**
   * Makes the blob at `key` the file at `path`. A file already there is replaced, and its blob
   * queued for deletion in the same transaction. The replaced key is read and then swapped only if
   * it is still the same, so two uploads racing to one path each queue the blob they replaced,
   * and none is left behind.
   */
  async record(access: ProjectAccess, path: string, key: string, stored: StoredBlob, db: Kysely<Schema> = this.db): Promise<void> {
    const projectId = access.project.id;
    await inTransaction(db, async (trx) => {
      for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
        const inserted = await trx
          .insertInto('artifacts')
          .values({ project_id: projectId, path, size: stored.size, sha256: stored.sha256, store_key: key, creator_id: access.caller.user?.id ?? null, created_at: now() })
          .onConflict((oc) => oc.columns(['project_id', 'path']).doNothing())
          .returning('path')
          .executeTakeFirst();
        if (inserted) return;
        const previous = await trx.selectFrom('artifacts').select('store_key').where('project_id', '=', projectId).where('path', '=', path).executeTakeFirst();
        if (!previous) continue; // deleted meanwhile: insert again
        if (previous.store_key === key) return; // this very blob, recorded already
        const swapped = await trx
          .updateTable('artifacts')
          .set({ size: stored.size, sha256: stored.sha256, store_key: key, created_at: now() })
          .where('project_id', '=', projectId)
          .where('path', '=', path)
          .where('store_key', '=', previous.store_key)
          .executeTakeFirst();
        if (Number(swapped.numUpdatedRows) === 0) continue; // replaced meanwhile by another upload: read it again
        await deleteBlobsLater(trx, [previous.store_key]);
        return;
      }
      throw new Error(`the artifact ${path} kept changing while it was being recorded`);
    });
  }

  async file(access: ProjectAccess, rawPath: string): Promise<DownloadableFile> {
    const path = safeRelativePath(rawPath);
    const row = await this.db.selectFrom('artifacts').selectAll().where('project_id', '=', access.project.id).where('path', '=', path).executeTakeFirst();
    if (!row) throw fileNotFound();
    return {
      name: path.slice(path.lastIndexOf('/') + 1),
      size: row.size,
      sha256: row.sha256,
      open: (range) => this.store.get(row.store_key, range),
    };
  }

  /** The immediate children of a directory (the root when `dir` is empty), directories first. */
  async list(access: ProjectAccess, rawDir: string | undefined): Promise<ArtifactEntry[]> {
    const dir = rawDir === undefined || rawDir === '' || rawDir === '/' ? '' : safeRelativePath(rawDir.replace(/\/+$/, ''));
    let query = this.db.selectFrom('artifacts').select(['path', 'size']).where('project_id', '=', access.project.id);
    if (dir) query = query.where(sql<boolean>`path like ${`${escapeLike(dir)}/%`} escape '\\'`);
    const rows = await query.orderBy('path').execute();
    const prefix = dir ? `${dir}/` : '';
    const dirs = new Set<string>();
    const files: ArtifactEntry[] = [];
    for (const row of rows) {
      const rest = row.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash >= 0) dirs.add(rest.slice(0, slash));
      else files.push({ path: rest, isDir: false, size: row.size });
    }
    return [...[...dirs].sort().map((name) => ({ path: name, isDir: true })), ...files];
  }

  /**
   * Every file at `path` (when it is a file) or under it (a directory, recursively), with its
   * path relative to `path`, at most `limit` of them (the caller learns there were more by
   * getting `limit`); an archive of a model's directory reads them.
   */
  async filesUnder(access: ProjectAccess, rawPath: string, limit: number): Promise<(DownloadableFile & { path: string })[]> {
    const root = safeRelativePath(rawPath);
    const projectId = access.project.id;
    const rows = await this.db
      .selectFrom('artifacts')
      .select(['path', 'size', 'sha256', 'store_key'])
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('path', '=', root), sql<boolean>`path like ${`${escapeLike(root)}/%`} escape '\\'`]))
      .orderBy('path')
      .limit(limit)
      .execute();
    return rows.map((row) => {
      const path = row.path === root ? row.path.slice(row.path.lastIndexOf('/') + 1) : row.path.slice(root.length + 1);
      return { path, name: path.slice(path.lastIndexOf('/') + 1), size: row.size, sha256: row.sha256, open: (range) => this.store.get(row.store_key, range) };
    });
  }

  /** Deletes a file, or a directory with everything under it; their blobs go later, with the rows committed. */
  async delete(access: ProjectAccess, rawPath: string): Promise<void> {
    const path = safeRelativePath(rawPath);
    const projectId = access.project.id;
    await inTransaction(this.db, async (trx) => {
      const file = await trx.deleteFrom('artifacts').where('project_id', '=', projectId).where('path', '=', path).returning('store_key').executeTakeFirst();
      if (file) return deleteBlobsLater(trx, [file.store_key]);
      const under = sql<boolean>`path like ${`${escapeLike(path)}/%`} escape '\\'`;
      const deleted = await trx.deleteFrom('artifacts').where('project_id', '=', projectId).where(under).returning('store_key').execute();
      if (deleted.length === 0) throw fileNotFound();
      await deleteBlobsLater(
        trx,
        deleted.map((row) => row.store_key),
      );
    });
  }

  async usage(projectId: number): Promise<{ files: number; bytes: number }> {
    const row = await this.db
      .selectFrom('artifacts')
      .select((eb) => [eb.fn.countAll<number>().as('files'), eb.fn.coalesce(eb.fn.sum<number>('size'), sql<number>`0`).as('bytes')])
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return { files: Number(row.files), bytes: Number(row.bytes) };
  }

  /** Queues every blob of a project (its files, packages and job artifacts) when the project is deleted, in that transaction. */
  async purgeProject(trx: Kysely<Schema>, projectId: number): Promise<void> {
    await deleteBlobsLater(trx, [`projects/${projectId}`], { wholePrefix: true });
  }
}
