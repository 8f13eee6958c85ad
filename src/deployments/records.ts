import { sql, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../db/database.ts';
import type { Schema } from '../db/schema.ts';
import { deployableJobs, type DeployableJob } from '../pipelines/deployable-jobs.ts';
import type { Policy } from './contract.ts';
import { DeploymentErrors } from './errors.ts';
import type { DeploymentApprovalsTable, DeploymentsTable, DeploymentVariantsTable, EnvironmentsTable } from './tables.ts';

export type EnvironmentRow = Selectable<EnvironmentsTable>;
export type DeploymentRow = Selectable<DeploymentsTable>;
export type VariantRow = Selectable<DeploymentVariantsTable>;
export type ApprovalRow = Selectable<DeploymentApprovalsTable>;

/** A deployment with everything its presentation shows. */
export interface DeploymentRecord {
  row: DeploymentRow;
  environment: EnvironmentRow;
  variants: VariantRow[];
  approvals: ApprovalRow[];
  deployable: DeployableJob | null;
}

export const policyOf = (row: Pick<DeploymentRow, 'policy'>): Policy => JSON.parse(row.policy) as Policy;
export const labelsOf = (row: Pick<EnvironmentRow, 'agent_labels'>): string[] => JSON.parse(row.agent_labels) as string[];

/** Reads of environments and deployments; every use case of the domain goes through these. */
export async function environmentById(db: Kysely<Schema>, projectId: number, id: number): Promise<EnvironmentRow> {
  const row = await db.selectFrom('environments').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  if (!row) throw DeploymentErrors.ENVIRONMENT_NOT_FOUND({ name: String(id) });
  return row;
}

export function environmentByName(db: Kysely<Schema>, projectId: number, name: string): Promise<EnvironmentRow | undefined> {
  return db.selectFrom('environments').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
}

/**
 * Serializes changes to one environment across replicas: on PostgreSQL its row is locked for
 * the transaction, so two deployments (or a deployment and a gate's rollback) never both read
 * the same "current" deployment. SQLite has one writer at a time already.
 */
export async function lockEnvironment(trx: Kysely<Schema>, dialect: Dialect, id: number): Promise<EnvironmentRow> {
  if (dialect === 'postgres') await sql`select id from environments where id = ${id} for update`.execute(trx);
  return trx.selectFrom('environments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function deploymentRow(db: Kysely<Schema>, projectId: number, id: number): Promise<DeploymentRow> {
  const row = await db.selectFrom('deployments').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  if (!row) throw DeploymentErrors.DEPLOYMENT_NOT_FOUND({ id });
  return row;
}

export function variantsOf(db: Kysely<Schema>, deploymentId: number): Promise<VariantRow[]> {
  return db.selectFrom('deployment_variants').selectAll().where('deployment_id', '=', deploymentId).orderBy('position').execute();
}

/** Deployments with their variants, approvals, environments and jobs, in the order given. */
export async function loadDeployments(db: Kysely<Schema>, rows: DeploymentRow[]): Promise<DeploymentRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const environmentIds = [...new Set(rows.map((r) => r.environment_id))];
  const [variants, approvals, environments, jobs] = await Promise.all([
    db.selectFrom('deployment_variants').selectAll().where('deployment_id', 'in', ids).orderBy('position').execute(),
    db.selectFrom('deployment_approvals').selectAll().where('deployment_id', 'in', ids).orderBy('id').execute(),
    db.selectFrom('environments').selectAll().where('id', 'in', environmentIds).execute(),
    deployableJobs(
      db,
      rows.flatMap((r) => (r.deployable_job_id === null ? [] : [r.deployable_job_id])),
    ),
  ]);
  const environmentOf = new Map(environments.map((e) => [e.id, e]));
  return rows.map((row) => ({
    row,
    environment: environmentOf.get(row.environment_id)!,
    variants: variants.filter((v) => v.deployment_id === row.id),
    approvals: approvals.filter((a) => a.deployment_id === row.id),
    deployable: row.deployable_job_id === null ? null : (jobs.get(row.deployable_job_id) ?? null),
  }));
}

export async function loadDeployment(db: Kysely<Schema>, row: DeploymentRow): Promise<DeploymentRecord> {
  return (await loadDeployments(db, [row]))[0]!;
}

export async function optionalDeployment(db: Kysely<Schema>, id: number | null): Promise<DeploymentRecord | null> {
  if (id === null) return null;
  const row = await db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? loadDeployment(db, row) : null;
}
