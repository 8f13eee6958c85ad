import type { Kysely } from 'kysely';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parse } from 'yaml';
import { anonymousCaller } from '../../auth/caller.ts';
import { serverAccess, type ProjectFacts } from '../../auth/policy.ts';
import type { Schema } from '../../db/schema.ts';
import { parseGsUri, type CloudStorage } from '../../integrations/google/cloud-storage.ts';
import type { ServiceAccountKey } from '../../integrations/google/service-account-key.ts';
import type { VertexEndpoints } from '../../integrations/google/vertex-endpoints.ts';
import type { VersionArchiveService } from '../../registry/version-archive.ts';
import { now } from '../../shared/clock.ts';
import type { VertexTargetsTable } from '../tables.ts';
import { VertexTargetErrors } from './errors.ts';
import { prebuiltContainer, versionImageContainer } from './prebuilt-containers.ts';

/** Written last under a staged version's folder: its files are all there, so a later try uploads none again. */
export const STAGED_MARKER = '.modelyard-staged';

/** The services a version's upload needs, for one binding. */
export interface VertexClients {
  key: ServiceAccountKey;
  storage: CloudStorage;
  endpoints: VertexEndpoints;
}

/**
 * A registry version as a Vertex AI model of the environment's project, made once per
 * environment and remembered (vertex_target_models): its files copied to the staging folder in
 * Cloud Storage, then `models.upload` with a serving container — Google's prebuilt one where
 * the flavor's files fit it, else the version's own pushed image. Every step can be repeated:
 * a staged folder is marked complete last, and a model uploaded twice by two tries is only a
 * spare model in the project.
 */
export class VersionUploads {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { archives: VersionArchiveService; projectFacts: (projectId: number) => Promise<ProjectFacts> },
  ) {}

  /** The Vertex model a version became in this environment's project, by name (`projects/…/models/…`). */
  async modelOf(binding: VertexTargetsTable, projectId: number, versionId: number, clients: VertexClients): Promise<string> {
    const known = await this.db.selectFrom('vertex_target_models').select('model_name').where('environment_id', '=', binding.environment_id).where('version_id', '=', versionId).executeTakeFirst();
    if (known) return known.model_name;
    const row = await this.db
      .selectFrom('model_versions')
      .innerJoin('registered_models', 'registered_models.id', 'model_versions.model_id')
      .select(['model_versions.model_id', 'model_versions.version', 'model_versions.semver', 'registered_models.name'])
      .where('model_versions.id', '=', versionId)
      .executeTakeFirstOrThrow();
    const access = serverAccess(await this.deps.projectFacts(projectId), anonymousCaller());
    const archive = await this.deps.archives.describe(access, row.model_id, row.version);
    const mlmodel = archive.files.find((f) => f.path === 'MLmodel');
    const flavors = mlmodel ? Object.keys(((parse(await text(await mlmodel.open())) as { flavors?: Record<string, unknown> } | null)?.flavors ?? {}) as object) : [];
    const container = prebuiltContainer(
      binding.location,
      flavors,
      archive.files.map((f) => f.path),
    );
    const image = container ? null : await this.pushedImage(versionId);
    const containerSpec = container ?? (image === null ? null : versionImageContainer(image));
    if (containerSpec === null) throw VertexTargetErrors.NO_CONTAINER({ flavors: flavors.join(', ') || 'none' });

    const staging = parseGsUri(binding.staging_uri)!;
    const folder = `${staging.prefix}modelyard/${projectId}/v${versionId}/`;
    if (!(await clients.storage.exists(staging.bucket, `${folder}${STAGED_MARKER}`, clients.key))) {
      for (const file of archive.files) await clients.storage.upload(staging.bucket, `${folder}${file.path}`, { open: () => file.open(), size: file.size }, clients.key);
      await clients.storage.upload(staging.bucket, `${folder}${STAGED_MARKER}`, { open: async () => Readable.from([Buffer.alloc(0)]), size: 0 }, clients.key);
    }
    const artifactUri = `gs://${staging.bucket}/${folder.replace(/\/$/, '')}`;
    const uploaded = await clients.endpoints.uploadModel(
      `projects/${binding.gcp_project}/locations/${binding.location}`,
      {
        displayName: `${row.name} v${row.version}`.slice(0, 128),
        description: `Registry version ${row.semver} of ${row.name}, uploaded by Modelyard`,
        artifactUri,
        containerSpec,
        labels: { 'modelyard-project': String(projectId), 'modelyard-version': String(versionId) },
      },
      clients.key,
    );
    await this.db
      .insertInto('vertex_target_models')
      .values({ environment_id: binding.environment_id, version_id: versionId, model_name: uploaded.model, artifact_uri: artifactUri, created_at: now() })
      .onConflict((oc) => oc.columns(['environment_id', 'version_id']).doNothing())
      .execute();
    // Another try may have recorded its own upload first: the one recorded is the one used.
    return (await this.db.selectFrom('vertex_target_models').select('model_name').where('environment_id', '=', binding.environment_id).where('version_id', '=', versionId).executeTakeFirstOrThrow())
      .model_name;
  }

  /**
   * The newest image of the version pushed to a registry (one only in a builder's local storage
   * is of no use to Google), by its digest: a tag moved later cannot change what Vertex runs.
   */
  private async pushedImage(versionId: number): Promise<string | null> {
    const images = await this.db
      .selectFrom('model_version_images')
      .select(['reference', 'digest'])
      .where('version_id', '=', versionId)
      .orderBy('built_at', 'desc')
      .orderBy('id', 'desc')
      .limit(20)
      .execute();
    const pushed = images.find((i) => !i.reference.startsWith('localhost/'));
    return pushed ? `${pushed.reference}@${pushed.digest}` : null;
  }
}
