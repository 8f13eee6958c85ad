import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../../db/schema.ts';
import type { WorkLeases } from '../../events/work-leases.ts';
import { CloudStorage, DEFAULT_STORAGE_URL } from '../../integrations/google/cloud-storage.ts';
import { GoogleErrors } from '../../integrations/google/errors.ts';
import type { GoogleApi } from '../../integrations/google/google-api.ts';
import { parseServiceAccountKey } from '../../integrations/google/service-account-key.ts';
import { DEFAULT_POLLING, VertexEndpoints, type OperationPolling, type VertexEndpoint } from '../../integrations/google/vertex-endpoints.ts';
import { defaultAiplatformUrl } from '../../integrations/google/vertex-models.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { now } from '../../shared/clock.ts';
import type { VertexTargetsTable } from '../tables.ts';
import { vertexBinding, type ProjectKey } from './bindings.ts';
import { VertexTargetErrors } from './errors.ts';
import type { DeploymentTarget, TargetDeployment, TargetEnvironment, TargetInstance, TargetStatus } from '../target.ts';
import { sameSplit, trafficSplitOf, vertexTrafficPlan } from './traffic-plan.ts';
import type { VersionUploads, VertexClients } from './version-uploads.ts';

/** What an environment should run now: read when a convergence starts, so a late one never applies a stale deployment. */
export type CurrentDeployment = (environmentId: number) => Promise<{ environment: TargetEnvironment; deployment: TargetDeployment } | null>;

/** One replica converges an environment at a time; a replica that dies mid-way loses the lease after this long. */
const LEASE_MS = 10 * 60 * 1000;
/** A convergence that failed, or that another replica holds, is tried again after this long (when the environment's status is read). */
const RETRY_MS = 30_000;

/** The endpoint Modelyard owns for an environment: a fixed id, so every replica and every try finds the same one. */
export const endpointIdOf = (environment: { id: number; projectId: number }) => `modelyard-p${environment.projectId}-e${environment.id}`;

/** A deployed model's `model` may name a version (`…/models/123@2`); the model is the part before. */
const modelOnly = (name: string) => name.split('@')[0]!;

/**
 * The Vertex AI target: an environment bound to a Google Cloud project and location runs its
 * deployment on one Vertex endpoint, each version deployed once on it, and the deployment's
 * weights as the endpoint's traffic split (single: 100; canary: stable and canary shares; A/B:
 * the weights). Vertex does its changes as long-running operations that take minutes, so a
 * deployment is not waited for: `apply` starts a convergence in the background and answers.
 * A convergence reads the environment's current deployment when it starts (a later deployment
 * is never undone by an earlier one finishing late), holds a lease so that one replica at a time
 * works on an environment, and runs again while deployments keep arriving. Its steps: upload
 * each version (version-uploads.ts), make the endpoint, deploy what is missing without traffic,
 * set the split, undeploy what is no longer wanted. Each step is idempotent, so a convergence
 * cut short (a crash, a failed operation) is finished by the next one: the environment's status
 * starts one when this process has not converged it, at most every 30 s.
 */
export class VertexTarget implements DeploymentTarget {
  /** Per environment, the work queued in this process (convergences and stops run in order). */
  private readonly queues = new Map<number, Promise<void>>();
  /** Environments with a convergence queued but not started: one more would do the same. */
  private readonly convergeQueued = new Set<number>();
  /** The deployment this process last converged each environment to. */
  private readonly converged = new Map<number, number>();
  private readonly lastTry = new Map<number, number>();
  /** What a running convergence is doing, for the environment's health. */
  private readonly doing = new Map<number, string>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: {
      secrets: SecretBox;
      /** The project's Google Cloud integration's key, for environments without one of their own. */
      projectKey: ProjectKey;
      api: GoogleApi;
      uploads: VersionUploads;
      leases: WorkLeases;
      current: CurrentDeployment;
      logger: Logger;
      polling?: OperationPolling;
    },
  ) {}

  /** The binding and its clients; throws NO_KEY when it relies on a project integration that is gone. */
  private async binding(environmentId: number): Promise<{ row: VertexTargetsTable; clients: VertexClients } | null> {
    const bound = await vertexBinding(this.db, this.deps, environmentId);
    if (!bound) return null;
    const { row, keyText } = bound;
    if (keyText === null) throw VertexTargetErrors.NO_KEY();
    const key = parseServiceAccountKey(keyText);
    return {
      row,
      clients: {
        key,
        storage: new CloudStorage(this.deps.api, row.storage_url ?? DEFAULT_STORAGE_URL),
        endpoints: new VertexEndpoints(this.deps.api, row.api_url ?? defaultAiplatformUrl(row.location), this.deps.polling ?? DEFAULT_POLLING),
      },
    };
  }

  /** The binding, or null when there is none or no key to reach Vertex AI with (logged: nothing can be read or stopped there). */
  private async reachable(environment: TargetEnvironment): Promise<{ row: VertexTargetsTable; clients: VertexClients } | null> {
    try {
      return await this.binding(environment.id);
    } catch (error) {
      if (!VertexTargetErrors.NO_KEY.is(error)) throw error;
      this.deps.logger.warn({ environment: environment.name, project: environment.projectId }, error.message);
      return null;
    }
  }

  private endpointName(row: VertexTargetsTable, environment: { id: number; projectId: number }): string {
    return `projects/${row.gcp_project}/locations/${row.location}/endpoints/${endpointIdOf(environment)}`;
  }

  /** Work for one environment, after what is queued for it; a failure is logged, never thrown to the caller. */
  private enqueue(environmentId: number, task: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(environmentId) ?? Promise.resolve()).then(task).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, environment_id: environmentId }, 'the Vertex AI target failed');
    });
    this.queues.set(environmentId, next);
    void next.then(() => {
      if (this.queues.get(environmentId) === next) this.queues.delete(environmentId);
    });
    return next;
  }

  async apply(environment: TargetEnvironment): Promise<void> {
    this.converge(environment.id);
  }

  /** Queues a convergence, unless one is queued already. */
  private converge(environmentId: number): void {
    if (this.convergeQueued.has(environmentId)) return;
    this.convergeQueued.add(environmentId);
    this.lastTry.set(environmentId, Date.now());
    void this.enqueue(environmentId, async () => {
      this.convergeQueued.delete(environmentId);
      await this.convergeNow(environmentId);
    });
  }

  /** Resolves once the work queued for the environment is done (for tests and shutdown). */
  async settled(environmentId: number): Promise<void> {
    while (this.queues.has(environmentId)) await this.queues.get(environmentId);
  }

  private async convergeNow(environmentId: number): Promise<void> {
    const lease = `vertex-target:${environmentId}`;
    // Another replica converges it: this one looks again when the status is next read.
    if (!(await this.deps.leases.take(lease, LEASE_MS))) return;
    try {
      const current = await this.deps.current(environmentId);
      if (!current || current.environment.target !== 'vertex') return;
      try {
        const bound = await this.binding(environmentId);
        if (!bound) return;
        await this.reach(current.environment, current.deployment, bound, () => this.deps.leases.take(lease, LEASE_MS));
        this.converged.set(environmentId, current.deployment.id);
        await this.recordError(environmentId, null);
      } catch (error) {
        this.converged.delete(environmentId);
        this.deps.logger.warn({ err: error, environment: current.environment.name, project: current.environment.projectId }, 'the Vertex AI target could not apply a deployment');
        await this.recordError(environmentId, error instanceof Error ? error.message : String(error));
      }
    } finally {
      this.doing.delete(environmentId);
      await this.deps.leases.release(lease);
    }
  }

  /** Brings the environment's endpoint to the deployment, step by step (see the class comment). */
  private async reach(environment: TargetEnvironment, deployment: TargetDeployment, bound: { row: VertexTargetsTable; clients: VertexClients }, renew: () => Promise<boolean>): Promise<void> {
    const { row, clients } = bound;
    const plan = vertexTrafficPlan(deployment);
    const models = new Map<number, string>();
    for (const versionId of plan.versions) {
      this.doing.set(environment.id, `uploading version ${versionId} to Vertex AI`);
      models.set(versionId, modelOnly(await this.deps.uploads.modelOf(row, environment.projectId, versionId, clients)));
      await renew();
    }
    const name = this.endpointName(row, environment);
    this.doing.set(environment.id, 'creating the endpoint');
    let endpoint: VertexEndpoint =
      (await clients.endpoints.endpoint(name, clients.key)) ??
      (await clients.endpoints.createEndpoint(
        `projects/${row.gcp_project}/locations/${row.location}`,
        endpointIdOf(environment),
        {
          displayName: `${environment.name} (Modelyard)`,
          description: `Modelyard environment ${environment.name} of project ${environment.projectId}`,
          labels: { 'modelyard-environment': String(environment.id) },
        },
        clients.key,
      ));
    const deployed = [...(endpoint.deployedModels ?? [])];
    const deployedIdOf = (versionId: number) => deployed.find((d) => modelOnly(d.model) === models.get(versionId))?.id;
    for (const versionId of plan.versions) {
      if (deployedIdOf(versionId) !== undefined) continue;
      this.doing.set(environment.id, `deploying version ${versionId} on the endpoint`);
      // Deployed without traffic: the split below moves it, all at once, once every version is up.
      const resources = { machineType: row.machine_type, minReplicaCount: row.min_replicas, maxReplicaCount: row.max_replicas };
      deployed.push(await clients.endpoints.deployModel(endpoint.name, { model: models.get(versionId)!, displayName: `version ${versionId}`, resources }, {}, clients.key));
      await renew();
    }
    const split = trafficSplitOf(plan, (versionId) => deployedIdOf(versionId)!);
    if (!sameSplit(endpoint.trafficSplit ?? {}, split)) {
      this.doing.set(environment.id, 'setting the traffic split');
      endpoint = await clients.endpoints.setTrafficSplit(endpoint.name, split, clients.key);
    }
    const wanted = new Set(models.values());
    for (const extra of deployed.filter((d) => !wanted.has(modelOnly(d.model)))) {
      this.doing.set(environment.id, `undeploying ${extra.displayName ?? extra.id}`);
      await clients.endpoints.undeployModel(endpoint.name, extra.id, split, clients.key);
      await renew();
    }
  }

  /**
   * Undeploys every model of the environment's endpoint and deletes it, in the background (each
   * undeployment takes minutes). The key is read now: the binding may be removed meanwhile.
   */
  async stop(environment: TargetEnvironment): Promise<void> {
    const bound = await this.reachable(environment);
    if (!bound) return;
    this.converged.delete(environment.id);
    const name = this.endpointName(bound.row, environment);
    void this.enqueue(environment.id, async () => {
      const { endpoints, key } = bound.clients;
      try {
        const endpoint = await endpoints.endpoint(name, key);
        if (!endpoint) return;
        const left = [...(endpoint.deployedModels ?? [])];
        for (const model of left) {
          left.splice(left.indexOf(model), 1);
          // The remaining models share the traffic evenly (the split must sum to 100) until the last one goes.
          await endpoints.undeployModel(endpoint.name, model.id, evenSplit(left.map((m) => m.id)), key);
        }
        await endpoints.deleteEndpoint(endpoint.name, key);
      } catch (error) {
        if (GoogleErrors.GOOGLE_NOT_FOUND.is(error)) return;
        this.deps.logger.warn({ err: error, environment: environment.name, project: environment.projectId }, 'the Vertex AI target could not undeploy its endpoint');
        await this.recordError(environment.id, error instanceof Error ? error.message : String(error));
      }
    });
  }

  async status(environment: TargetEnvironment): Promise<TargetStatus> {
    const bound = await this.reachable(environment);
    if (!bound) return { instances: [] };
    this.convergeIfDue(environment);
    let endpoint: VertexEndpoint | null;
    try {
      endpoint = await bound.clients.endpoints.endpoint(this.endpointName(bound.row, environment), bound.clients.key);
    } catch (error) {
      this.deps.logger.warn({ err: error, environment: environment.name }, 'the Vertex AI target could not read its endpoint');
      return { instances: [] };
    }
    if (!endpoint) return { instances: [] };
    const uploaded = await this.db.selectFrom('vertex_target_models').select(['version_id', 'model_name']).where('environment_id', '=', environment.id).execute();
    const versionOf = new Map(uploaded.map((u) => [modelOnly(u.model_name), Number(u.version_id)]));
    const reportedAt = now();
    const doing = this.doing.get(environment.id);
    const url = `${bound.clients.endpoints.base}/v1/${endpoint.name}:predict`;
    const instances: TargetInstance[] = [];
    for (const model of endpoint.deployedModels ?? []) {
      const versionId = versionOf.get(modelOnly(model.model));
      if (versionId === undefined) continue;
      const share = endpoint.trafficSplit?.[model.id] ?? 0;
      const notes = [`${share} % of the endpoint's traffic`, doing, bound.row.last_error].filter((n): n is string => typeof n === 'string' && n !== '');
      instances.push({
        runnerId: 0,
        instanceId: model.id,
        versionId,
        state: share > 0 ? 'ready' : 'idle',
        endpoint: url,
        // Vertex answers only callers with Google credentials: predictions go to the endpoint itself, not through the gateway.
        upstream: null,
        restarts: 0,
        message: notes.join('; '),
        reportedAt,
        reporting: true,
        ready: share > 0,
      });
    }
    return { instances };
  }

  /** Starts a convergence when this process has not brought the environment to its current deployment, at most every RETRY_MS. */
  private convergeIfDue(environment: TargetEnvironment): void {
    if (this.queues.has(environment.id)) return;
    if (Date.now() - (this.lastTry.get(environment.id) ?? 0) < RETRY_MS) return;
    void this.deps.current(environment.id).then((current) => {
      if (current && this.converged.get(environment.id) !== current.deployment.id) this.converge(environment.id);
    });
  }

  private async recordError(environmentId: number, message: string | null): Promise<void> {
    await this.db.updateTable('vertex_targets').set({ last_error: message, updated_at: now() }).where('environment_id', '=', environmentId).execute();
  }
}

/** Shares of 100 among ids, as even as whole percents allow (the first ones take the remainder). */
export function evenSplit(ids: string[]): Record<string, number> {
  const split: Record<string, number> = {};
  ids.forEach((id, index) => (split[id] = Math.floor(100 / ids.length) + (index < 100 % ids.length ? 1 : 0)));
  return split;
}
