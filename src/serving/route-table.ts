import type { Kysely } from 'kysely';
import type { Policy } from '../deployments/contract.ts';
import { rolledOut } from '../deployments/health.ts';
import { policyOf, variantsOf, type EnvironmentRow, type VariantRow } from '../deployments/records.ts';
import type { Schema } from '../db/schema.ts';
import { readyEndpoints, type DeploymentTarget, type TargetStatus, type Upstream } from '../targets/target.ts';

export interface RoutedVariant {
  name: string;
  versionId: number;
  weight: number;
  role: 'live' | 'shadow';
  shadowShare: number;
  endpoints: Upstream[];
}

export type Route =
  | { kind: 'unknown'; environment: string }
  | { kind: 'stopped'; environment: string; state: string }
  | { kind: 'empty'; environment: string }
  | {
      kind: 'routable';
      projectId: number;
      environmentId: number;
      environment: string;
      timeoutMs: number;
      deploymentId: number;
      /** Sticky buckets and feedback belong to the series. */
      lineage: number;
      policy: Policy;
      /** The header naming the subject (A/B: the policy's; canary: X-Subject); null: no stickiness. */
      subjectHeader: string | null;
      live: RoutedVariant[];
      shadows: RoutedVariant[];
    };

/** Canaries stick by this header unless told otherwise. */
export const CANARY_SUBJECT_HEADER = 'x-subject';

/**
 * What the gateway sends where, per environment, remembered for the cache period
 * (MODELYARD_SERVING_CACHE_SECONDS): a deployment, a stop or an instance becoming ready on
 * another replica reaches this one's gateway within that delay (at once on this replica, which
 * is told). Routes follow the current deployment once it has rolled out, and its predecessor
 * (the serving deployment) until then, so a new version takes traffic only once it can answer.
 */
export class RouteTable {
  private readonly routes = new Map<string, { at: number; route: Promise<Route> }>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly target: DeploymentTarget,
    private readonly ttlMs: number,
  ) {}

  get(projectId: number, environment: string): Promise<Route> {
    const key = `${projectId}\n${environment}`;
    const cached = this.routes.get(key);
    if (cached && Date.now() - cached.at <= this.ttlMs) return cached.route;
    const route = this.load(projectId, environment);
    this.routes.set(key, { at: Date.now(), route });
    route.catch(() => this.routes.delete(key));
    return route;
  }

  /** This replica changed what an environment runs: its next request reads it again. */
  invalidate(): void {
    this.routes.clear();
  }

  private async load(projectId: number, name: string): Promise<Route> {
    const env = await this.db.selectFrom('environments').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
    if (!env) return { kind: 'unknown', environment: name };
    if (env.state !== 'available') return { kind: 'stopped', environment: name, state: env.state };
    if (env.current_deployment_id === null) return { kind: 'empty', environment: name };
    const status = await this.target.status({ id: env.id, projectId: env.project_id, name: env.name, state: env.state, routing: env.routing, target: env.target });
    const chosen = await this.chooseDeployment(env, status);
    const row = await this.db.selectFrom('deployments').select(['id', 'policy', 'lineage_id']).where('id', '=', chosen.id).executeTakeFirstOrThrow();
    const policy = policyOf(row);
    const endpoints = readyEndpoints(status);
    const routed = (v: VariantRow): RoutedVariant => ({
      name: v.name,
      versionId: v.version_id,
      weight: v.weight,
      role: v.role,
      shadowShare: v.shadow_share,
      endpoints: endpoints.get(v.version_id) ?? [],
    });
    return {
      kind: 'routable',
      projectId,
      environmentId: env.id,
      environment: env.name,
      timeoutMs: env.timeout_ms,
      deploymentId: row.id,
      lineage: row.lineage_id ?? row.id,
      policy,
      subjectHeader: policy.kind === 'ab' ? policy.subject_header.toLowerCase() : policy.kind === 'canary' ? CANARY_SUBJECT_HEADER : null,
      live: chosen.variants.filter((v) => v.role === 'live').map(routed),
      shadows: chosen.variants.filter((v) => v.role === 'shadow').map(routed),
    };
  }

  private async chooseDeployment(env: EnvironmentRow, status: TargetStatus): Promise<{ id: number; variants: VariantRow[] }> {
    const current = { id: env.current_deployment_id!, variants: await variantsOf(this.db, env.current_deployment_id!) };
    if (rolledOut(current.variants, status) || env.serving_deployment_id === null || env.serving_deployment_id === current.id) return current;
    const serving = { id: env.serving_deployment_id, variants: await variantsOf(this.db, env.serving_deployment_id) };
    return rolledOut(serving.variants, status) ? serving : current;
  }
}
