import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { containsText } from '../db/like.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import type { DownloadableFile } from '../http/download.ts';
import { deleteBlobsLater } from '../storage/blob-deletions.ts';
import type { BlobStore, StoredBlob } from '../storage/blob-store.ts';
import { safeFileName, safeRelativePath } from '../storage/safe-path.ts';
import { packageFileNotFound, packageNotFound } from './errors.ts';
import type { PackageFilesTable, PackagesTable } from './tables.ts';

export type PackageRow = Selectable<PackagesTable>;
export type PackageFileRow = Selectable<PackageFilesTable>;
export type PackageType = PackageRow['package_type'];

/** What an upload becomes: a file of a package, by the package's type, name and version. */
export interface UploadTarget {
  type: PackageType;
  name: string;
  version: string;
  fileName: string;
  status?: PackageRow['status'];
}

/** GitLab's rules for generic package names and versions. */
const NAME_PATTERN = /^[A-Za-z0-9._+-]{1,255}$/;
/**
 * GitLab spells this /^(\.?[\w+-]+\.?)+$/, which takes exponential time on "aaa…!" here; this
 * spelling accepts exactly the same versions (words of [\w+-] joined by one or two dots, with
 * one optional dot before and after) and cannot backtrack more than once per character.
 */
const VERSION_PATTERN = /^\.?[\w+-]+(?:\.{1,2}[\w+-]+)*\.?$/;
const FILE_NAME_PATTERN = /^[\w.+~-]{1,255}$/;

export function validPackageName(name: string): string {
  if (!NAME_PATTERN.test(name) || name === '.' || name === '..') throw invalid('package_name is invalid: use letters, digits, ".", "_", "-" and "+"');
  return name;
}

export function validPackageVersion(version: string): string {
  if (version.length > 255 || !VERSION_PATTERN.test(version)) throw invalid('package_version is invalid: use letters, digits, ".", "_", "-" and "+"');
  return version;
}

/**
 * GitLab's package registry on the BlobStore: generic packages (any file, by name and version)
 * and ml_model packages (the files of a model version, with directories). Replacing a file
 * writes the new blob under a fresh key first, so a reader sees the old file or the new one.
 */
export class PackagesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly store: BlobStore,
    readonly maxUploadBytes: number,
  ) {}

  private lookup(db: Kysely<Schema>, access: ProjectAccess, type: PackageType, name: string, version: string): Promise<PackageRow | undefined> {
    return db
      .selectFrom('packages')
      .selectAll()
      .where('project_id', '=', access.project.id)
      .where('package_type', '=', type)
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
  }

  private async findOrCreate(db: Kysely<Schema>, access: ProjectAccess, type: PackageType, name: string, version: string, status: PackageRow['status']): Promise<PackageRow> {
    const existing = await this.lookup(db, access, type, name, version);
    if (existing) {
      if (existing.status !== status) await db.updateTable('packages').set({ status, updated_at: now() }).where('id', '=', existing.id).execute();
      return { ...existing, status };
    }
    const at = now();
    const created = await db
      .insertInto('packages')
      .values({ project_id: access.project.id, package_type: type, name, version, status, creator_id: access.caller.user?.id ?? null, created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordChange(db, access.caller, { type: 'packages.package.created', projectId: access.project.id, payload: { package_id: created.id, package_type: type, name, version } });
    return created;
  }

  /** The target's name, version and file name as stored, or the refusal of a bad one (before any byte is stored). */
  checkedTarget(target: UploadTarget): UploadTarget & { status: PackageRow['status'] } {
    const name = validPackageName(target.name);
    const version = target.type === 'generic' ? validPackageVersion(target.version) : target.version;
    const fileName = target.type === 'generic' ? safeFileName(target.fileName) : safeRelativePath(target.fileName);
    if (target.type === 'generic' && !FILE_NAME_PATTERN.test(fileName)) throw invalid('file_name is invalid: use letters, digits, ".", "_", "-", "+" and "~"');
    return { type: target.type, name, version, fileName, status: target.status ?? 'default' };
  }

  /** Where a new file's bytes go: a fresh key, so a replaced file stays readable until its row changes. */
  newStoreKey(access: ProjectAccess): string {
    return `projects/${access.project.id}/packages/${randomUUID()}`;
  }

  /** Stores one file into a package, creating the package on first upload. */
  async upload(access: ProjectAccess, target: UploadTarget, body: Readable, contentLength?: number): Promise<{ pkg: PackageRow; file: PackageFileRow }> {
    const checked = this.checkedTarget(target);
    const key = this.newStoreKey(access);
    const stored = await this.store.put(key, body, { maxBytes: this.maxUploadBytes, contentLength });
    return this.record(access, checked, key, stored);
  }

  /**
   * Makes the blob stored at `key` the target's file, with the same events whichever way its
   * bytes arrived (one PUT, a multipart upload, or an import that copied it there). `alongside`
   * runs in the same transaction; if anything fails, the blob is deleted and the previous file
   * stays. Recording the same blob again (an import resumed after a crash) changes nothing.
   */
  async record(
    access: ProjectAccess,
    target: UploadTarget & { status: PackageRow['status'] },
    key: string,
    stored: StoredBlob,
    alongside?: (trx: Kysely<Schema>) => Promise<void>,
  ): Promise<{ pkg: PackageRow; file: PackageFileRow }> {
    const fileName = target.fileName;
    try {
      return await inTransaction(this.db, async (trx) => {
        const pkg = await this.findOrCreate(trx, access, target.type, target.name, target.version, target.status);
        const previous = await trx.selectFrom('package_files').selectAll().where('package_id', '=', pkg.id).where('file_name', '=', fileName).executeTakeFirst();
        if (previous?.store_key === key) return { pkg, file: previous };
        const values = { size: stored.size, sha256: stored.sha256, store_key: key, creator_id: access.caller.user?.id ?? null, created_at: now() };
        const file = previous
          ? await trx.updateTable('package_files').set(values).where('id', '=', previous.id).returningAll().executeTakeFirstOrThrow()
          : await trx
              .insertInto('package_files')
              .values({ package_id: pkg.id, file_name: fileName, ...values })
              .returningAll()
              .executeTakeFirstOrThrow();
        await trx.updateTable('packages').set({ updated_at: now() }).where('id', '=', pkg.id).execute();
        await recordChange(trx, access.caller, {
          type: 'packages.file.uploaded',
          projectId: access.project.id,
          payload: { package_id: pkg.id, file_id: file.id, file_name: fileName, size: stored.size, sha256: stored.sha256 },
        });
        await alongside?.(trx);
        // The replaced file's bytes go only once the new row is committed, and minutes later: readers may still be on them.
        if (previous) await deleteBlobsLater(trx, [previous.store_key]);
        return { pkg, file };
      });
    } catch (error) {
      await this.store.delete(key).catch(() => undefined);
      throw error;
    }
  }

  async findPackage(access: ProjectAccess, type: PackageType, name: string, version: string): Promise<PackageRow> {
    const row = await this.lookup(this.db, access, type, name, version);
    if (!row) throw packageNotFound();
    return row;
  }

  async getPackage(access: ProjectAccess, packageId: number, db: Kysely<Schema> = this.db): Promise<PackageRow> {
    const row = await db.selectFrom('packages').selectAll().where('id', '=', packageId).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!row) throw packageNotFound();
    return row;
  }

  /** A file of a generic package, by the package's name and version. */
  async genericFile(access: ProjectAccess, name: string, version: string, fileName: string): Promise<DownloadableFile> {
    return this.fileOf(await this.findPackage(access, 'generic', name, version), fileName);
  }

  async fileOf(pkg: PackageRow, fileName: string): Promise<DownloadableFile & { row: PackageFileRow }> {
    const row = await this.db.selectFrom('package_files').selectAll().where('package_id', '=', pkg.id).where('file_name', '=', fileName).executeTakeFirst();
    if (!row) throw packageFileNotFound();
    return {
      row,
      name: fileName.slice(fileName.lastIndexOf('/') + 1),
      size: row.size,
      sha256: row.sha256,
      open: (range) => this.store.get(row.store_key, range),
    };
  }

  async list(access: ProjectAccess, options: { offset: number; limit: number; packageType?: PackageType; packageName?: string; status?: PackageRow['status'] }) {
    let base = this.db.selectFrom('packages').where('project_id', '=', access.project.id);
    if (options.packageType) base = base.where('package_type', '=', options.packageType);
    const packageName = options.packageName;
    if (packageName) base = base.where((eb) => containsText(eb.ref('name'), packageName));
    if (options.status) base = base.where('status', '=', options.status);
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').offset(options.offset).limit(options.limit).execute(),
    ]);
    return { total: Number(count.n), items: rows };
  }

  async listFiles(access: ProjectAccess, packageId: number, options: { offset: number; limit: number }) {
    const pkg = await this.getPackage(access, packageId);
    const base = this.db.selectFrom('package_files').where('package_id', '=', pkg.id);
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('file_name').offset(options.offset).limit(options.limit).execute(),
    ]);
    return { total: Number(count.n), items: rows };
  }

  /** Deletes a package with its files; their bytes go later, once the rows are gone (src/storage/blob-deletions.ts). */
  async deletePackage(access: ProjectAccess, packageId: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const pkg = await this.getPackage(access, packageId, trx);
      // Read in the transaction: a file uploaded meanwhile is deleted with the package, and its bytes with it.
      const files = await trx.selectFrom('package_files').select('store_key').where('package_id', '=', pkg.id).execute();
      await trx.deleteFrom('packages').where('id', '=', pkg.id).execute();
      await recordChange(trx, access.caller, { type: 'packages.package.deleted', projectId: access.project.id, payload: { package_id: pkg.id, name: pkg.name, version: pkg.version } });
      await deleteBlobsLater(
        trx,
        files.map((f) => f.store_key),
      );
    });
  }

  async deleteFile(access: ProjectAccess, packageId: number, fileId: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const pkg = await this.getPackage(access, packageId, trx);
      const file = await trx.selectFrom('package_files').selectAll().where('id', '=', fileId).where('package_id', '=', pkg.id).executeTakeFirst();
      if (!file) throw packageFileNotFound();
      await trx.deleteFrom('package_files').where('id', '=', file.id).execute();
      await recordChange(trx, access.caller, { type: 'packages.file.deleted', projectId: access.project.id, payload: { package_id: pkg.id, file_id: file.id, file_name: file.file_name } });
      await deleteBlobsLater(trx, [file.store_key]);
    });
  }

  async usage(projectId: number): Promise<{ files: number; bytes: number }> {
    const row = await this.db
      .selectFrom('package_files')
      .innerJoin('packages', 'packages.id', 'package_files.package_id')
      .select((eb) => [eb.fn.countAll<number>().as('files'), eb.fn.coalesce(eb.fn.sum<number>('package_files.size'), sql<number>`0`).as('bytes')])
      .where('packages.project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return { files: Number(row.files), bytes: Number(row.bytes) };
  }
}
