import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import type { DownloadableFile } from '../http/download.ts';
import type { PackagesService } from '../packages/packages-service.ts';
import { AppError } from '../shared/errors.ts';
import type { VersionRow } from './registry-model.ts';
import { VersionArchiveErrors } from './version-archive-errors.ts';
import type { ModelVersionsService } from './versions-service.ts';

/** One file of a version: its path inside the version (relative, `/`-separated), its digest, and its bytes by range. */
export type VersionFile = DownloadableFile & { path: string };

/**
 * What a version holds, whatever its source: for a version from a run or a logged model, the
 * MLflow model directory (what `download_artifacts("models:/name/v")` gives); for a version with
 * uploaded files, its ml_model package's files. The archive and the Hugging Face protocol both
 * serve these, so both see the same files.
 */
export class VersionContents {
  constructor(private readonly deps: { versions: ModelVersionsService; artifacts: ArtifactsService; packages: PackagesService }) {}

  /** At most `limit` files, sorted by path; a caller that wants to know there were more asks for one more than it serves. */
  async list(access: ProjectAccess, modelName: string, row: VersionRow, limit: number): Promise<VersionFile[]> {
    const files = row.source_kind === 'files' ? await this.packageFiles(access, modelName, row.semver, limit) : await this.storedFiles(access, { name: modelName, version: row.version }, limit);
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private async storedFiles(access: ProjectAccess, ref: { name: string; version: number }, limit: number): Promise<VersionFile[]> {
    const uri = await this.deps.versions.downloadUri(access, ref.name, ref.version, '');
    const prefix = 'mlflow-artifacts:/';
    if (!uri.startsWith(prefix)) throw VersionArchiveErrors.VERSION_SOURCE_NOT_ARCHIVABLE({ ...ref, source: uri });
    const root = uri.slice(prefix.length).replace(/^\/+|\/+$/g, '');
    return this.deps.artifacts.filesUnder(access, root, limit);
  }

  private async packageFiles(access: ProjectAccess, modelName: string, semver: string, limit: number): Promise<VersionFile[]> {
    const { packages } = this.deps;
    const pkg = await packages.findPackage(access, 'ml_model', modelName, semver).catch((error: unknown) => {
      if (error instanceof AppError && error.kind === 'not_found') return null;
      throw error;
    });
    if (!pkg) return [];
    const { items } = await packages.listFiles(access, pkg.id, { offset: 0, limit });
    return items.map((row) => ({
      path: row.file_name,
      name: row.file_name.slice(row.file_name.lastIndexOf('/') + 1),
      size: row.size,
      sha256: row.sha256,
      open: async (range) => (await packages.fileOf(pkg, row.file_name)).open(range),
    }));
  }
}
