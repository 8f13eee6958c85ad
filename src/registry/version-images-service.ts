import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import { isUniqueViolation } from '../shared/unique-violation.ts';
import type { ModelKey } from './models-service.ts';
import type { ModelVersionImagesTable } from './tables.ts';
import type { RecordImageBody, VersionImageNative } from './contract.ts';
import { VersionImageErrors } from './version-image-errors.ts';
import type { ModelVersionsService } from './versions-service.ts';

export type VersionImageRow = Selectable<ModelVersionImagesTable>;

/** A build time more than this far ahead of the server's clock is refused as a mistake. */
const CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;
/** A version's images listed at most. */
const LISTED = 100;

/**
 * Container images built of model versions, recorded by the build (a CI job's token records its
 * job) and listed on the version, newest first; an agent in container mode runs the newest.
 */
export class VersionImagesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly versions: ModelVersionsService,
  ) {}

  async record(access: ProjectAccess, key: ModelKey, version: number, input: RecordImageBody): Promise<VersionImageRow> {
    const builtAt = input.built_at === undefined ? now() : Date.parse(input.built_at);
    if (!Number.isFinite(builtAt)) throw invalid('built_at must be an ISO 8601 date and time');
    if (builtAt > now() + CLOCK_SKEW_MS) throw invalid('built_at is in the future');
    const { model, row } = await this.versions.getRow(access, key, version);
    try {
      return await this.db
        .insertInto('model_version_images')
        .values({
          version_id: row.id,
          digest: input.digest,
          size: input.size,
          base: input.base,
          reference: input.reference,
          tags: JSON.stringify(input.tags ?? []),
          built_at: builtAt,
          job_id: access.caller.jobId,
          author_id: access.caller.user?.id ?? null,
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error)) throw VersionImageErrors.IMAGE_ALREADY_RECORDED({ name: model.name, version: row.version, digest: input.digest });
      throw error;
    }
  }

  async list(access: ProjectAccess, key: ModelKey, version: number): Promise<{ version: number; rows: VersionImageRow[] }> {
    const { row } = await this.versions.getRow(access, key, version);
    return { version: row.version, rows: await this.ofVersion(row.id, LISTED) };
  }

  /** The newest image of a version row (what container-mode agents run), if one was recorded. */
  async newest(versionId: number): Promise<VersionImageRow | undefined> {
    return (await this.ofVersion(versionId, 1))[0];
  }

  private ofVersion(versionId: number, limit: number): Promise<VersionImageRow[]> {
    return this.db.selectFrom('model_version_images').selectAll().where('version_id', '=', versionId).orderBy('built_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

export function presentVersionImage(row: VersionImageRow, version: number): VersionImageNative {
  return {
    id: row.id,
    version: { id: row.version_id, version },
    digest: row.digest,
    size: Number(row.size),
    base: row.base,
    reference: row.reference,
    tags: JSON.parse(row.tags) as string[],
    built_at: iso(Number(row.built_at)),
    job_id: row.job_id,
    author: row.author_id === null ? null : { id: row.author_id },
    created_at: iso(Number(row.created_at)),
  };
}
