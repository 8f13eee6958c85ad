import type { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { escapeLike } from '../db/like.ts';
import { now } from '../shared/clock.ts';
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

/** Where a project's artifact lives in the store. */
export function artifactStoreKey(projectId: number, path: string): string {
  return `projects/${projectId}/artifacts/${path}`;
}

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
    const stored = await this.store.put(artifactStoreKey(access.project.id, path), body, { maxBytes: this.maxUploadBytes, contentLength });
    await this.record(access, path, stored);
    return { ...stored, path };
  }

  /** Makes a completed file visible (or replaces the previous version of it). */
  async record(access: ProjectAccess, path: string, stored: StoredBlob, db: Kysely<Schema> = this.db): Promise<void> {
    await db
      .insertInto('artifacts')
      .values({ project_id: access.project.id, path, size: stored.size, sha256: stored.sha256, creator_id: access.caller.user?.id ?? null, created_at: now() })
      .onConflict((oc) => oc.columns(['project_id', 'path']).doUpdateSet({ size: stored.size, sha256: stored.sha256, created_at: now() }))
      .execute();
  }

  async file(access: ProjectAccess, rawPath: string): Promise<DownloadableFile> {
    const path = safeRelativePath(rawPath);
    const row = await this.db.selectFrom('artifacts').selectAll().where('project_id', '=', access.project.id).where('path', '=', path).executeTakeFirst();
    if (!row) throw fileNotFound();
    return {
      name: path.slice(path.lastIndexOf('/') + 1),
      size: row.size,
      sha256: row.sha256,
      open: (range) => this.store.get(artifactStoreKey(access.project.id, path), range),
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
      .select(['path', 'size', 'sha256'])
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('path', '=', root), sql<boolean>`path like ${`${escapeLike(root)}/%`} escape '\\'`]))
      .orderBy('path')
      .limit(limit)
      .execute();
    return rows.map((row) => {
      const path = row.path === root ? row.path.slice(row.path.lastIndexOf('/') + 1) : row.path.slice(root.length + 1);
      return { path, name: path.slice(path.lastIndexOf('/') + 1), size: row.size, sha256: row.sha256, open: (range) => this.store.get(artifactStoreKey(projectId, row.path), range) };
    });
  }

  /** Deletes a file, or a directory with everything under it. */
  async delete(access: ProjectAccess, rawPath: string): Promise<void> {
    const path = safeRelativePath(rawPath);
    const projectId = access.project.id;
    const file = await this.db.selectFrom('artifacts').select('path').where('project_id', '=', projectId).where('path', '=', path).executeTakeFirst();
    if (file) {
      await this.db.deleteFrom('artifacts').where('project_id', '=', projectId).where('path', '=', path).execute();
      await this.store.delete(artifactStoreKey(projectId, path));
      return;
    }
    const under = sql<boolean>`path like ${`${escapeLike(path)}/%`} escape '\\'`;
    const deleted = await this.db.deleteFrom('artifacts').where('project_id', '=', projectId).where(under).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw fileNotFound();
    await this.store.deletePrefix(artifactStoreKey(projectId, path));
  }

  async usage(projectId: number): Promise<{ files: number; bytes: number }> {
    const row = await this.db
      .selectFrom('artifacts')
      .select((eb) => [eb.fn.countAll<number>().as('files'), eb.fn.coalesce(eb.fn.sum<number>('size'), sql<number>`0`).as('bytes')])
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return { files: Number(row.files), bytes: Number(row.bytes) };
  }

  /** Removes a project's files from the store when the project is deleted. */
  async purgeProject(projectId: number): Promise<void> {
    await this.store.deletePrefix(`projects/${projectId}`);
  }
}
