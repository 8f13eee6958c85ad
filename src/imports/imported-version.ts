import type { ProjectAccess } from '../auth/policy.ts';
import type { PackagesService } from '../packages/packages-service.ts';
import { RegistryErrors } from '../registry/errors.ts';
import type { RegisteredModelsService } from '../registry/models-service.ts';
import type { ModelRow } from '../registry/registry-model.ts';
import type { ModelVersionsService } from '../registry/versions-service.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { ImportFetcher, SourceRecord } from './fetcher.ts';
import { safeRelativePath } from '../storage/safe-path.ts';
import type { ImportFileRow, ImportJobRow } from './import-jobs-service.ts';

export interface ImportedVersionDeps {
  models: RegisteredModelsService;
  versions: ModelVersionsService;
  packages: PackagesService;
  store: BlobStore;
}

/** The largest card read from a stored file (more than a description holds). */
const MAX_CARD_BYTES = 1024 * 1024;

/**
 * Turns a job's stored files into a model version, with the registry's own use cases (so its
 * events and audit entries are a version's): the model made if missing, the version with the
 * card's description and tags and the origin tags, the card's license, its labels, then every
 * file recorded in the version's package (idempotent, so a crash in the middle resumes).
 */
export class ImportedVersion {
  constructor(private readonly deps: ImportedVersionDeps) {}

  private async model(access: ProjectAccess, name: string): Promise<ModelRow> {
    try {
      return await this.deps.models.getRow(access, name);
    } catch (error) {
      if (!RegistryErrors.MODEL_NOT_FOUND.is(error)) throw error;
    }
    try {
      return (await this.deps.models.create(access, { name })).row;
    } catch (error) {
      // Another import (or a person) made it meanwhile.
      if (RegistryErrors.MODEL_EXISTS.is(error)) return this.deps.models.getRow(access, name);
      throw error;
    }
  }

  private async readText(files: ImportFileRow[], path: string): Promise<string | null> {
    const file = files.find((f) => f.path === path && f.upload_key !== null);
    if (!file || file.size > MAX_CARD_BYTES) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of (await this.deps.store.get(file.upload_key!)) as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Makes the version; the caller records its id on the job before the files are attached. */
  async create(access: ProjectAccess, job: ImportJobRow, fetcher: ImportFetcher<unknown>, files: ImportFileRow[]): Promise<number> {
    const source = JSON.parse(job.source) as SourceRecord;
    const model = await this.model(access, job.model_name);
    const card = await fetcher.describe(source, (path) => this.readText(files, path));
    const tags = { ...card.tags, ...fetcher.origin(source, job.id) };
    const version = await this.deps.versions.create(access, { name: { id: model.id }, description: card.description, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
    if (card.license !== null) await this.deps.versions.update(access, { id: model.id }, version.row.version, { card: { license: card.license } });
    for (const label of card.labels) await this.deps.versions.addLabel(access, { id: model.id }, version.row.version, label);
    return version.row.id;
  }

  async attachFiles(access: ProjectAccess, versionId: number, files: ImportFileRow[]): Promise<void> {
    const { model, row } = await this.deps.versions.getById(access, versionId);
    for (const file of files) {
      await this.deps.packages.record(
        access,
        // The path comes from elsewhere (the source's file list): checked here as an upload's would be.
        { type: 'ml_model', name: model.name, version: row.semver, fileName: safeRelativePath(file.path), status: 'default' },
        file.upload_key!,
        { size: file.size, sha256: file.stored_sha256! },
      );
    }
  }
}
