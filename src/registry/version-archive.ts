import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import type { PackagesService } from '../packages/packages-service.ts';
import { packFiles, type ArchiveFile } from './deterministic-tar.ts';
import type { RegisteredModelsService } from './models-service.ts';
import { VersionArchiveErrors } from './version-archive-errors.ts';
import { VersionContents } from './version-contents.ts';
import type { ModelVersionsService } from './versions-service.ts';

/** A version's files, ready to be packed; the same fingerprint means the same archive bytes. */
export interface VersionArchive {
  /** The download's file name: `<model>-<semver>.tar.gz`. */
  fileName: string;
  files: ArchiveFile[];
  fingerprint: string;
  /** The version the files are: its model's name, number and semver. */
  model: string;
  version: number;
  semver: string;
}

export interface ArchiveDigest {
  sha256: string;
  size: number;
}

/** A download: the archive's name, digest and size known before its bytes, which stream on `open()`. */
export interface PreparedArchive extends ArchiveDigest {
  fileName: string;
  open(): Readable;
}

/** An archive holds at most this many files: a model directory has a handful. */
export const MAX_ARCHIVE_FILES = 10_000;
/** Digests remembered per server process (each costs one packing of the archive to learn). */
const REMEMBERED_DIGESTS = 1_000;
/** Part of every fingerprint: a change to how archives are packed must change their digests. */
const PACKING = 'tar.gz/v1';

/** Where a version's archive is downloaded from, relative to the server's URL. */
export function versionArchivePath(projectId: number, modelId: number, version: number): string {
  return `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/${version}/archive`;
}

/**
 * A model version's files as one deterministic tar.gz: for a version from a run or a logged
 * model, the MLflow model directory (what `download_artifacts("models:/name/v")` gives: the
 * same download URI); for a version with uploaded files, its ml_model package's files.
 *
 * The archive's SHA-256 is its ETag and what an agent verifies, so it must be known before the
 * first byte is sent: it is learned by packing once (constant memory) and remembered per
 * fingerprint — the files' paths, sizes and SHA-256s — so later downloads pack only once.
 */
export class VersionArchiveService {
  private readonly digests = new Map<string, Promise<ArchiveDigest>>();
  private readonly contents: VersionContents;

  constructor(
    private readonly deps: { models: RegisteredModelsService; versions: ModelVersionsService; artifacts: ArtifactsService; packages: PackagesService },
    private readonly maxFiles = MAX_ARCHIVE_FILES,
  ) {
    this.contents = new VersionContents(deps);
  }

  async describe(access: ProjectAccess, modelId: number, version: number): Promise<VersionArchive> {
    const model = await this.deps.models.getRowById(access, modelId);
    const { row } = await this.deps.versions.getRow(access, model.name, version);
    const ref = { name: model.name, version: row.version };
    const files = await this.contents.list(access, model.name, row, this.maxFiles + 1);
    if (files.length === 0) throw VersionArchiveErrors.VERSION_ARCHIVE_EMPTY(ref);
    if (files.length > this.maxFiles) throw VersionArchiveErrors.VERSION_ARCHIVE_TOO_MANY_FILES({ ...ref, limit: this.maxFiles });
    const manifest = files.map((f) => [f.path, f.size, f.sha256] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      fileName: `${model.name}-${row.semver}.tar.gz`,
      files,
      model: model.name,
      version: row.version,
      semver: row.semver,
      fingerprint: createHash('sha256')
        .update(JSON.stringify([PACKING, manifest]))
        .digest('hex'),
    };
  }

  /** The archive's SHA-256 and size: remembered, else learned by packing it once. */
  digest(archive: VersionArchive): Promise<ArchiveDigest> {
    const known = this.digests.get(archive.fingerprint);
    if (known) {
      // Most recently used last, so the oldest is the one forgotten first.
      this.digests.delete(archive.fingerprint);
      this.digests.set(archive.fingerprint, known);
      return known;
    }
    const learning = measure(packFiles(archive.files));
    this.digests.set(archive.fingerprint, learning);
    learning.catch(() => this.digests.delete(archive.fingerprint));
    while (this.digests.size > REMEMBERED_DIGESTS) this.digests.delete(this.digests.keys().next().value!);
    return learning;
  }

  async prepare(access: ProjectAccess, modelId: number, version: number): Promise<PreparedArchive> {
    const archive = await this.describe(access, modelId, version);
    const digest = await this.digest(archive);
    return { ...digest, fileName: archive.fileName, open: () => packFiles(archive.files) };
  }

  /** What an agent is told to download: the archive's path, SHA-256 and size. */
  async locate(access: ProjectAccess, modelId: number, version: number): Promise<{ url: string; sha256: string; size: number }> {
    const digest = await this.digest(await this.describe(access, modelId, version));
    return { url: versionArchivePath(access.project.id, modelId, version), ...digest };
  }
}

async function measure(stream: Readable): Promise<ArchiveDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
