import type { Readable } from 'node:stream';
import type { ProjectAccess } from '../auth/policy.ts';
import type { DownloadableFile } from '../http/download.ts';
import type { PackageFileRow, PackagesService, UploadTarget } from '../packages/packages-service.ts';
import { isAppError, notFound } from '../shared/errors.ts';
import type { ModelVersionsService } from './versions-service.ts';

/**
 * The files of a version, kept as GitLab keeps them: an ml_model package named after the model,
 * versioned by the version's semantic version.
 */
export class VersionFiles {
  constructor(
    private readonly versions: ModelVersionsService,
    private readonly packages: PackagesService,
  ) {}

  /** Where a file of the version goes: its model's ml_model package, at the version's semver. */
  async target(access: ProjectAccess, versionId: number, path: string): Promise<UploadTarget> {
    const { model, row } = await this.versions.getById(access, versionId);
    return { type: 'ml_model', name: model.name, version: row.semver, fileName: path };
  }

  async upload(access: ProjectAccess, versionId: number, path: string, body: Readable, contentLength: number | undefined): Promise<PackageFileRow> {
    const { file } = await this.packages.upload(access, await this.target(access, versionId, path), body, contentLength);
    return file;
  }

  /** A version without files yet has no package: its files are as missing as an unknown one's. */
  async file(access: ProjectAccess, versionId: number, path: string): Promise<DownloadableFile> {
    const { model, row } = await this.versions.getById(access, versionId);
    const pkg = await this.packages.findPackage(access, 'ml_model', model.name, row.semver).catch((error: unknown) => {
      throw isAppError(error) && error.kind === 'not_found' ? notFound('404 File') : error;
    });
    return this.packages.fileOf(pkg, path);
  }
}
