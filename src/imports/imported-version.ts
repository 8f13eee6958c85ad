import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
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
 * card's description and tags and the origin tags (recorded on the job in the same transaction),
 * then the card's license, its labels and every file recorded in the version's package
 * (idempotent, so a crash in the middle resumes).
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

  /**
   * Makes the version with the card's description and tags and the origin tags; `record` runs in
   * the version's transaction, so the job holds the version's id exactly when the version exists.
   */
  async create(access: ProjectAccess, job: ImportJobRow, fetcher: ImportFetcher<unknown>, files: ImportFileRow[], record: (trx: Kysely<Schema>, versionId: number) => Promise<void>): Promise<number> {
    const source = JSON.parse(job.source) as SourceRecord;
    const model = await this.model(access, job.model_name);
    const card = await fetcher.describe(source, (path) => this.readText(files, path));
    const tags = { ...card.tags, ...fetcher.origin(source, job.id) };
    const version = await this.deps.versions.create(access, { name: { id: model.id }, description: card.description, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }, (trx, row) =>
      record(trx, row.id),
    );
    return version.row.id;
  }

  /**
   * Gives the version the card's license and labels and every file. Each step is idempotent: a
   * replica that takes the job over after a crash runs it again on the version the job recorded.
   */
  async complete(access: ProjectAccess, job: ImportJobRow, fetcher: ImportFetcher<unknown>, versionId: number, files: ImportFileRow[]): Promise<void> {
    const { model, row } = await this.deps.versions.getById(access, versionId);
    const card = await fetcher.describe(JSON.parse(job.source) as SourceRecord, (path) => this.readText(files, path));
    if (card.license !== null) await this.deps.versions.update(access, { id: model.id }, row.version, { card: { license: card.license } });
    for (const label of card.labels) await this.deps.versions.addLabel(access, { id: model.id }, row.version, label);
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
