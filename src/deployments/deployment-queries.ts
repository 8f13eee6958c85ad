import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import type { DeploymentsQuery, VersionDeployment } from './contract.ts';
import { deploymentRow, loadDeployment, loadDeployments, type DeploymentRecord } from './records.ts';

/** How far back "since" looks; a version shipped by more consecutive deployments shows the oldest of these. */
const MAX_STEPS_BACK = 50;

/** Reads of deployments: GitLab's list (by environment, status, order) and one deployment. */
export class DeploymentQueries {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(access: ProjectAccess, query: DeploymentsQuery, window: { offset: number; limit: number }): Promise<{ total: number; items: DeploymentRecord[] }> {
    let base = this.db.selectFrom('deployments').where('deployments.project_id', '=', access.project.id);
    if (query.environment !== undefined) {
      const env = await this.db.selectFrom('environments').select('id').where('project_id', '=', access.project.id).where('name', '=', query.environment).executeTakeFirst();
      base = base.where('deployments.environment_id', '=', env?.id ?? -1);
    }
    if (query.status !== undefined) base = base.where('deployments.status', '=', query.status);
    const order = query.order_by ?? 'id';
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base
        .selectAll('deployments')
        .orderBy(`deployments.${order}`, query.sort ?? 'asc')
        .orderBy('deployments.id', query.sort ?? 'asc')
        .offset(window.offset)
        .limit(window.limit)
        .execute(),
    ]);
    return { total: Number(count.n), items: await loadDeployments(this.db, rows) };
  }

  async get(access: ProjectAccess, id: number): Promise<DeploymentRecord> {
    return loadDeployment(this.db, await deploymentRow(this.db, access.project.id, id));
  }

  /** Where a version runs now: the environments whose current deployment ships it. */
  async ofVersion(access: ProjectAccess, versionId: number): Promise<VersionDeployment[]> {
    const rows = await this.db
      .selectFrom('environments')
      .innerJoin('deployments', 'deployments.id', 'environments.current_deployment_id')
      .innerJoin('deployment_variants', 'deployment_variants.deployment_id', 'deployments.id')
      .select([
        'environments.id as environment_id',
        'environments.name',
        'environments.tier',
        'environments.state',
        'deployments.id as deployment_id',
        'deployments.status',
        'deployments.created_at',
        'deployment_variants.name as variant',
        'deployment_variants.role',
        'deployment_variants.weight',
      ])
      .where('environments.project_id', '=', access.project.id)
      .where('deployment_variants.version_id', '=', versionId)
      .orderBy('environments.name')
      .execute();
    const since = await Promise.all(rows.map((r) => this.shippingSince(r.deployment_id, r.created_at, versionId)));
    return rows.map((r, i) => ({
      environment: { id: r.environment_id, name: r.name, tier: r.tier },
      environment_state: r.state,
      deployment_id: r.deployment_id,
      deployment_status: r.status,
      variant: r.variant,
      role: r.role,
      weight: r.weight,
      since: new Date(since[i]!).toISOString(),
    }));
  }

  /**
   * When the version began running without a break: walks back from the current deployment
   * through the ones applied before it while they ship the version too (a canary's steps, a
   * weight change). Bounded, so a long history costs a few queries at most.
   */
  private async shippingSince(deploymentId: number, createdAt: number, versionId: number): Promise<number> {
    let since = createdAt;
    let previous = (await this.db.selectFrom('deployments').select('previous_deployment_id').where('id', '=', deploymentId).executeTakeFirst())?.previous_deployment_id ?? null;
    for (let steps = 0; previous !== null && steps < MAX_STEPS_BACK; steps++) {
      const row = await this.db
        .selectFrom('deployments')
        .innerJoin('deployment_variants', 'deployment_variants.deployment_id', 'deployments.id')
        .select(['deployments.created_at', 'deployments.previous_deployment_id'])
        .where('deployments.id', '=', previous)
        .where('deployment_variants.version_id', '=', versionId)
        .executeTakeFirst();
      if (!row) break;
      since = row.created_at;
      previous = row.previous_deployment_id;
    }
    return since;
  }
}
