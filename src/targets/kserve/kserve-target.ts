import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../../db/schema.ts';
import type { OutboundPolicy } from '../../outbound/outbound-policy.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { now } from '../../shared/clock.ts';
import { KUBERNETES_CA_PEM, KUBERNETES_TOKEN, type KubernetesTargetsTable } from '../tables.ts';
import type { DeploymentTarget, TargetDeployment, TargetEnvironment, TargetInstance, TargetStatus } from '../target.ts';
import { inferenceServices, MODELYARD_ENVIRONMENT_LABEL, MODELYARD_STABLE_ANNOTATION, MODELYARD_VERSION_ANNOTATION, type InferenceService } from './inference-service-manifest.ts';
import { KubernetesClient, type InferenceServiceObject } from './kubernetes-client.ts';
import type { ServedVersions } from './served-versions.ts';
import { ReportedEndpoints } from '../upstream-admission.ts';

/**
 * The KServe target: an environment bound to a Kubernetes namespace runs its deployment as
 * InferenceServices there (see inference-service-manifest.ts), applied with server-side apply;
 * what runs is read back from their status (Ready, the URL). An apply that fails does not
 * undo the deployment, which is committed: its reason is kept (`last_error`) and shown in the
 * environment's health, and the next apply (a deployment, a promotion, a rollback) tries again.
 */
export class KServeTarget implements DeploymentTarget {
  /** The URLs a cluster reports pass the outbound address policy before the gateway uses them. */
  private readonly endpoints: ReportedEndpoints;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { secrets: SecretBox; outbound: OutboundPolicy; served: ServedVersions; logger: Logger },
  ) {
    this.endpoints = new ReportedEndpoints(deps, 'a cluster');
  }

  private async binding(environmentId: number): Promise<{ row: KubernetesTargetsTable; client: KubernetesClient; slug: string } | null> {
    const row = await this.db
      .selectFrom('kubernetes_targets')
      .innerJoin('environments', 'environments.id', 'kubernetes_targets.environment_id')
      .selectAll('kubernetes_targets')
      .select('environments.slug')
      .where('kubernetes_targets.environment_id', '=', environmentId)
      .executeTakeFirst();
    if (!row) return null;
    const { slug, ...binding } = row;
    const connection = {
      apiUrl: binding.api_url,
      namespace: binding.namespace,
      caPem: binding.ca_pem === null ? null : this.deps.secrets.open(binding.ca_pem, KUBERNETES_CA_PEM.context(environmentId)),
      token: this.deps.secrets.open(binding.token, KUBERNETES_TOKEN.context(environmentId)),
    };
    return { row: binding, client: new KubernetesClient(connection, this.deps.outbound), slug };
  }

  /** The manifests this deployment needs (exported for the environment's page and the tests). */
  async manifests(environment: TargetEnvironment, deployment: TargetDeployment): Promise<InferenceService[]> {
    const bound = await this.binding(environment.id);
    if (!bound) return [];
    return this.build(environment, deployment, bound.row, bound.slug);
  }

  private async build(environment: TargetEnvironment, deployment: TargetDeployment, row: KubernetesTargetsTable, slug: string): Promise<InferenceService[]> {
    const served = new Map<number, Awaited<ReturnType<ServedVersions['served']>>>();
    for (const v of deployment.variants) if (!served.has(v.versionId)) served.set(v.versionId, await this.deps.served.served(environment.projectId, v.versionId, environment.id));
    return inferenceServices({
      environmentId: environment.id,
      environmentSlug: slug,
      namespace: row.namespace,
      routing: environment.routing,
      policy: deployment.policy,
      variants: deployment.variants.map((v) => ({ name: v.name, role: v.role, weight: v.weight, version: served.get(v.versionId)! })),
      ...(row.service_account ? { serviceAccountName: row.service_account } : {}),
    });
  }

  async apply(environment: TargetEnvironment, deployment: TargetDeployment): Promise<void> {
    const bound = await this.binding(environment.id);
    if (!bound) return;
    try {
      const manifests = await this.build(environment, deployment, bound.row, bound.slug);
      for (const manifest of manifests) await bound.client.apply(manifest);
      // What the previous deployment needed and this one does not (a version no longer served, or the other routing's services).
      const keep = new Set(manifests.map((m) => m.metadata.name));
      for (const existing of await bound.client.list(`${MODELYARD_ENVIRONMENT_LABEL}=${environment.id}`)) {
        if (!keep.has(existing.metadata.name)) await bound.client.delete(existing.metadata.name);
      }
      await this.recordError(environment.id, null);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.logger.warn({ err: error, environment: environment.name, project: environment.projectId }, 'the KServe target could not apply a deployment');
      await this.recordError(environment.id, message);
    }
  }

  /**
   * Deletes the environment's InferenceServices. A cluster that cannot be reached does not
   * keep an environment from stopping, or from leaving KServe: the reason is logged and kept.
   */
  async stop(environment: TargetEnvironment): Promise<void> {
    const bound = await this.binding(environment.id);
    if (!bound) return;
    try {
      for (const existing of await bound.client.list(`${MODELYARD_ENVIRONMENT_LABEL}=${environment.id}`)) await bound.client.delete(existing.metadata.name);
    } catch (error) {
      this.deps.logger.warn({ err: error, environment: environment.name, project: environment.projectId }, 'the KServe target could not delete its InferenceServices');
      await this.recordError(environment.id, error instanceof Error ? error.message : String(error));
    }
  }

  async status(environment: TargetEnvironment): Promise<TargetStatus> {
    const bound = await this.binding(environment.id);
    if (!bound) return { instances: [] };
    const reportedAt = now();
    let services: InferenceServiceObject[];
    try {
      services = await bound.client.list(`${MODELYARD_ENVIRONMENT_LABEL}=${environment.id}`);
    } catch (error) {
      this.deps.logger.warn({ err: error, environment: environment.name }, 'the KServe target could not read its InferenceServices');
      return { instances: [] };
    }
    const instances = services.flatMap((service) => instancesOf(service, reportedAt, bound.row.last_error));
    return { instances: await this.endpoints.admit(environment, instances) };
  }

  private async recordError(environmentId: number, message: string | null): Promise<void> {
    await this.db.updateTable('kubernetes_targets').set({ last_error: message, updated_at: now() }).where('environment_id', '=', environmentId).execute();
  }
}

/**
 * An InferenceService as instances of the versions it serves: its predictor's version, and
 * during a native canary the stable one too (KServe keeps it on the previous revision). Ready
 * only once KServe has seen this spec (observedGeneration) and says Ready with a URL.
 */
export function instancesOf(service: InferenceServiceObject, reportedAt: number, lastError: string | null): TargetInstance[] {
  const annotations = service.metadata.annotations ?? {};
  const conditions = service.status?.conditions ?? [];
  const readyCondition = conditions.find((c) => c.type === 'Ready');
  const current = service.status?.observedGeneration !== undefined && service.status.observedGeneration === service.metadata.generation;
  const url = service.status?.url ?? null;
  const ready = current && readyCondition?.status === 'True' && url !== null;
  const failing = conditions.find((c) => c.status === 'False' && c.message);
  const message = ready ? '' : (lastError ?? failing?.message ?? (current ? 'not ready yet' : 'KServe has not reconciled the latest spec yet'));
  const versions = [annotations[MODELYARD_VERSION_ANNOTATION], annotations[MODELYARD_STABLE_ANNOTATION]].filter((v): v is string => v !== undefined).map(Number);
  return versions.map((versionId) => ({
    runnerId: 0,
    instanceId: service.metadata.name,
    versionId,
    state: ready ? 'ready' : readyCondition?.status === 'False' && readyCondition.reason !== undefined && !/NotReady$/.test(readyCondition.reason) ? 'failed' : 'starting',
    endpoint: url,
    // Set once the URL is admitted (see admit): until then the gateway has nowhere to connect.
    upstream: null,
    restarts: 0,
    message,
    reportedAt,
    reporting: true,
    ready,
  }));
}
