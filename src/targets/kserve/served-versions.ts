import type { Kysely } from 'kysely';
import { text } from 'node:stream/consumers';
import { parse } from 'yaml';
import { anonymousCaller } from '../../auth/caller.ts';
import { serverAccess, type ProjectFacts } from '../../auth/policy.ts';
import type { Schema } from '../../db/schema.ts';
import type { ArchiveLinks } from '../../registry/archive-links.ts';
import type { VersionArchiveService } from '../../registry/version-archive.ts';
import { modelFormatOf, type ServedVersion } from './inference-service-manifest.ts';

/**
 * How long a signed archive link in a manifest stays good. KServe's storage initializer
 * downloads on every pod start (a scale-up, a restart), so the link must outlive the revision
 * for as long as it may start pods; the expiry is rounded up to a whole day so that applying
 * the same deployment again the same day gives the same spec (and no new revision).
 */
export const ARCHIVE_LINK_TTL_SECONDS = 30 * 24 * 3600;
const DAY = 24 * 3600;

/**
 * A registry version as KServe loads it: its `modelFormat` from the MLflow model's flavors
 * (read from its MLmodel file), and a signed, expiring HTTPS link to its archive, which the
 * storage initializer downloads and unpacks (the path ends in `.tar.gz`, the answer's
 * Content-Type is application/gzip).
 */
export class ServedVersions {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { archives: VersionArchiveService; links: ArchiveLinks; projectFacts: (projectId: number) => Promise<ProjectFacts> },
  ) {}

  async served(projectId: number, versionId: number, nowSeconds: number): Promise<ServedVersion> {
    const row = await this.db.selectFrom('model_versions').select(['model_id', 'version']).where('id', '=', versionId).executeTakeFirstOrThrow();
    const access = serverAccess(await this.deps.projectFacts(projectId), anonymousCaller());
    const archive = await this.deps.archives.describe(access, row.model_id, row.version);
    const mlmodel = archive.files.find((f) => f.path === 'MLmodel');
    const flavors = mlmodel ? Object.keys(((parse(await text(await mlmodel.open())) as { flavors?: Record<string, unknown> } | null)?.flavors ?? {}) as object) : [];
    const expiresAt = Math.ceil((nowSeconds + ARCHIVE_LINK_TTL_SECONDS) / DAY) * DAY;
    return { versionId, modelFormat: modelFormatOf(flavors), storageUri: this.deps.links.sign({ projectId, modelId: row.model_id, version: row.version }, expiresAt) };
  }
}
