import type { Kysely } from 'kysely';
import { text } from 'node:stream/consumers';
import { parse } from 'yaml';
import { anonymousCaller } from '../../auth/caller.ts';
import { serverAccess, type ProjectFacts } from '../../auth/policy.ts';
import type { Schema } from '../../db/schema.ts';
import type { ArchiveLinks, ArchiveRef } from '../../registry/archive-links.ts';
import type { VersionArchiveService } from '../../registry/version-archive.ts';
import { modelFormatOf, type ServedVersion } from './inference-service-manifest.ts';

/**
 * A registry version as KServe loads it: its `modelFormat` from the MLflow model's flavors
 * (read from its MLmodel file), and a signed HTTPS link to its archive for the environment,
 * which the storage initializer downloads and unpacks (the path ends in `.tar.gz`, the
 * answer's Content-Type is application/gzip). The link is good while the environment serves
 * the version (see archive-links.ts).
 */
export class ServedVersions {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { archives: VersionArchiveService; links: ArchiveLinks; projectFacts: (projectId: number) => Promise<ProjectFacts> },
  ) {}

  async served(projectId: number, versionId: number, environmentId: number): Promise<ServedVersion> {
    const row = await this.db.selectFrom('model_versions').select(['model_id', 'version']).where('id', '=', versionId).executeTakeFirstOrThrow();
    const access = serverAccess(await this.deps.projectFacts(projectId), anonymousCaller());
    const archive = await this.deps.archives.describe(access, row.model_id, row.version);
    const mlmodel = archive.files.find((f) => f.path === 'MLmodel');
    const flavors = mlmodel ? Object.keys(((parse(await text(await mlmodel.open())) as { flavors?: Record<string, unknown> } | null)?.flavors ?? {}) as object) : [];
    return { versionId, modelFormat: modelFormatOf(flavors), storageUri: this.deps.links.sign({ projectId, modelId: row.model_id, version: row.version }, environmentId) };
  }

  /**
   * Whether a link for this environment is still good: the environment is available, bound to
   * a Kubernetes namespace, and the version is a variant of its current deployment or of the
   * one still serving while the current rolls out (a native canary's stable revision may start
   * pods until the canary is promoted).
   */
  async environmentServes(environmentId: number, ref: ArchiveRef): Promise<boolean> {
    const env = await this.db
      .selectFrom('environments')
      .innerJoin('kubernetes_targets', 'kubernetes_targets.environment_id', 'environments.id')
      .select(['environments.current_deployment_id', 'environments.serving_deployment_id'])
      .where('environments.id', '=', environmentId)
      .where('environments.project_id', '=', ref.projectId)
      .where('environments.state', '=', 'available')
      .where('environments.target', '=', 'kserve')
      .executeTakeFirst();
    const deployments = [env?.current_deployment_id, env?.serving_deployment_id].filter((id): id is number => typeof id === 'number');
    if (deployments.length === 0) return false;
    const variant = await this.db
      .selectFrom('deployment_variants')
      .select('deployment_id')
      .where('deployment_id', 'in', deployments)
      .where('model_id', '=', ref.modelId)
      .where('version', '=', ref.version)
      .executeTakeFirst();
    return variant !== undefined;
  }
}
