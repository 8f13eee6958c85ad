import type { Kysely } from 'kysely';
import type { Caller, CallerUser } from '../auth/caller.ts';
import type { Schema } from '../db/schema.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import type { Policy } from './contract.ts';
import type { DeploymentEventPayload } from './events.ts';
import { policyOf, type DeploymentRow, type EnvironmentRow, type VariantRow } from './records.ts';
import type { DeploymentStatus } from './tables.ts';

/**
 * The writes every deployment use case shares, each inside the caller's transaction (which has
 * locked the environment): a new deployment with its variants and event, making a deployment
 * the environment's current one, a status change with its event.
 */

/** A variant as it is written: its version looked up. */
export interface VariantToWrite {
  name: string;
  modelId: number;
  modelName: string;
  versionId: number;
  version: number;
  semver: string;
  weight: number;
  role: 'live' | 'shadow';
  shadowShare: number;
}

export interface DeploymentToWrite {
  environment: EnvironmentRow;
  status: 'blocked' | 'running';
  ref: string;
  sha: string | null;
  user: CallerUser | null;
  deployableJobId: number | null;
  policy: Policy;
  reason: string;
  rollbackOf: number | null;
  /** The series it continues, or a new one (its own id). */
  lineage: number | 'new';
  requiredApprovals: number;
  variants: VariantToWrite[];
}

export const variantFromRow = (v: VariantRow): VariantToWrite => ({
  name: v.name,
  modelId: v.model_id,
  modelName: v.model_name,
  versionId: v.version_id,
  version: v.version,
  semver: v.semver,
  weight: v.weight,
  role: v.role,
  shadowShare: v.shadow_share,
});

export function eventPayload(row: DeploymentRow, env: EnvironmentRow, variants: readonly VariantToWrite[]): DeploymentEventPayload<'deployments.deployment.created'> {
  return {
    deployment_id: row.id,
    iid: row.iid,
    environment_id: env.id,
    environment: env.name,
    tier: env.tier,
    status: row.status,
    policy: policyOf(row).kind,
    variants: variants.map((v) => ({ name: v.name, model_name: v.modelName, version: v.version, semver: v.semver, weight: v.weight, role: v.role })),
    reason: row.reason,
    rollback_of: row.rollback_of,
    deployable_job_id: row.deployable_job_id,
  };
}

/** Writes a deployment; a running one becomes the environment's current deployment at once. */
export async function writeDeployment(trx: Kysely<Schema>, caller: Caller | null, input: DeploymentToWrite): Promise<DeploymentRow> {
  const at = now();
  const env = input.environment;
  const last = await trx
    .selectFrom('deployments')
    .select((eb) => eb.fn.max('iid').as('iid'))
    .where('project_id', '=', env.project_id)
    .executeTakeFirst();
  const inserted = await trx
    .insertInto('deployments')
    .values({
      project_id: env.project_id,
      environment_id: env.id,
      iid: Number(last?.iid ?? 0) + 1,
      status: input.status,
      ref: input.ref,
      sha: input.sha,
      user_id: input.user?.id ?? null,
      user_username: input.user?.username ?? null,
      user_name: input.user?.name ?? null,
      deployable_job_id: input.deployableJobId,
      policy: JSON.stringify(input.policy),
      reason: input.reason,
      rollback_of: input.rollbackOf,
      previous_deployment_id: null,
      lineage_id: input.lineage === 'new' ? null : input.lineage,
      required_approvals: input.requiredApprovals,
      created_at: at,
      updated_at: at,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  let row = inserted;
  if (input.lineage === 'new') {
    row = await trx.updateTable('deployments').set({ lineage_id: inserted.id }).where('id', '=', inserted.id).returningAll().executeTakeFirstOrThrow();
  }
  await trx
    .insertInto('deployment_variants')
    .values(
      input.variants.map((v, position) => ({
        deployment_id: row.id,
        position,
        name: v.name,
        model_id: v.modelId,
        model_name: v.modelName,
        version_id: v.versionId,
        version: v.version,
        semver: v.semver,
        weight: v.weight,
        role: v.role,
        shadow_share: v.shadowShare,
      })),
    )
    .execute();
  if (input.status === 'running') row = await makeCurrent(trx, env, row);
  await recordChange(
    trx,
    caller,
    { type: 'deployments.deployment.created', projectId: env.project_id, payload: eventPayload(row, env, input.variants) },
    {
      action: 'deployments.deployment.created',
      targetType: 'deployment',
      targetId: row.id,
      details: {
        environment: env.name,
        status: row.status,
        policy: input.policy,
        reason: input.reason,
        variants: input.variants.map((v) => `${v.name}=${v.modelName}@${v.semver}:${v.role === 'shadow' ? `shadow ${v.shadowShare}%` : `${v.weight}%`}`),
      },
    },
  );
  return row;
}

/** The environment runs this deployment from now on (its desired state); the one it replaces is recorded. */
export async function makeCurrent(trx: Kysely<Schema>, env: EnvironmentRow, row: DeploymentRow): Promise<DeploymentRow> {
  const at = now();
  await trx.updateTable('environments').set({ current_deployment_id: row.id, state: 'available', updated_at: at }).where('id', '=', env.id).execute();
  return trx.updateTable('deployments').set({ status: 'running', previous_deployment_id: env.current_deployment_id, updated_at: at }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
}

const FINAL: readonly DeploymentStatus[] = ['success', 'failed', 'canceled'];

/** Moves a deployment to another status, with its event (and an audit entry when a person or a gate decided it). */
export async function changeStatus(
  trx: Kysely<Schema>,
  caller: Caller | null,
  env: EnvironmentRow,
  row: DeploymentRow,
  status: DeploymentStatus,
  options: { reason?: string; audited?: boolean } = {},
): Promise<DeploymentRow> {
  const at = now();
  const updated = await trx
    .updateTable('deployments')
    .set({ status, updated_at: at, finished_at: FINAL.includes(status) ? at : null, ...(options.reason !== undefined ? { reason: options.reason } : {}) })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const variants = (await trx.selectFrom('deployment_variants').selectAll().where('deployment_id', '=', row.id).orderBy('position').execute()).map(variantFromRow);
  await recordChange(
    trx,
    caller,
    { type: 'deployments.deployment.status_changed', projectId: env.project_id, payload: { ...eventPayload(updated, env, variants), previous_status: row.status } },
    options.audited
      ? { action: `deployments.deployment.${status}`, targetType: 'deployment', targetId: row.id, details: { environment: env.name, previous_status: row.status, reason: updated.reason } }
      : undefined,
  );
  return updated;
}
