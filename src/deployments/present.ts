import type { Deployment, Environment, EnvironmentDetail, EnvironmentHealth, Variant, CommandTemplate } from './contract.ts';
import { labelsOf, policyOf, type DeploymentRecord, type EnvironmentRow, type VariantRow } from './records.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function presentVariant(v: VariantRow): Variant {
  return {
    name: v.name,
    model: { id: v.model_id, name: v.model_name },
    version: { id: v.version_id, version: v.version, semver: v.semver },
    weight: v.weight,
    role: v.role,
    shadow_share: v.shadow_share,
  };
}

export function approvedCount(record: Pick<DeploymentRecord, 'approvals'>): number {
  return record.approvals.filter((a) => a.status === 'approved').length;
}

export function presentDeployment(record: DeploymentRecord): Deployment {
  const { row, environment, deployable } = record;
  return {
    id: row.id,
    iid: row.iid,
    ref: row.ref,
    sha: row.sha,
    status: row.status,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    finished_at: isoOrNull(row.finished_at),
    user: row.user_id === null ? null : { id: row.user_id, username: row.user_username ?? '', name: row.user_name ?? '' },
    deployable: deployable ? { id: deployable.id, name: deployable.name, status: deployable.status, stage: deployable.stage, pipeline: deployable.pipeline } : null,
    environment: { id: environment.id, name: environment.name, tier: environment.tier },
    variants: record.variants.map(presentVariant),
    policy: policyOf(row),
    reason: row.reason,
    rollback_of: row.rollback_of,
    previous_deployment_id: row.previous_deployment_id,
    lineage_id: row.lineage_id,
    approvals: record.approvals.map((a) => ({ user: { id: a.user_id, username: a.username, name: a.user_name }, status: a.status, comment: a.comment, created_at: iso(a.created_at) })),
    pending_approval_count: row.status === 'blocked' ? Math.max(0, row.required_approvals - approvedCount(record)) : 0,
  };
}

/** The gateway address of an environment. */
export function servingUrl(publicUrl: string, env: Pick<EnvironmentRow, 'project_id' | 'name'>): string {
  return `${publicUrl}/serving/${env.project_id}/${encodeURIComponent(env.name)}`;
}

export function presentEnvironment(env: EnvironmentRow, publicUrl: string): Environment {
  return {
    id: env.id,
    name: env.name,
    slug: env.slug,
    tier: env.tier,
    state: env.state,
    external_url: env.external_url,
    created_at: iso(env.created_at),
    updated_at: iso(env.updated_at),
    auto_stop_at: isoOrNull(env.auto_stop_at),
    routing: env.routing,
    target: env.target,
    agent_labels: labelsOf(env),
    timeout_ms: env.timeout_ms,
    command: env.command === null ? null : (JSON.parse(env.command) as CommandTemplate),
    current_deployment_id: env.current_deployment_id,
    serving_url: servingUrl(publicUrl, env),
  };
}

export function presentEnvironmentDetail(
  env: EnvironmentRow,
  publicUrl: string,
  parts: { last: DeploymentRecord | null; current: DeploymentRecord | null; health: EnvironmentHealth },
): EnvironmentDetail {
  return {
    ...presentEnvironment(env, publicUrl),
    last_deployment: parts.last ? presentDeployment(parts.last) : null,
    current_deployment: parts.current ? presentDeployment(parts.current) : null,
    health: parts.health,
  };
}
