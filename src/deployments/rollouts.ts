import type { Kysely } from 'kysely';
import type { Caller } from '../auth/caller.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Database } from '../db/database.ts';
import type { Schema } from '../db/schema.ts';
import type { DeploymentTarget } from '../targets/target.ts';
import type { CanaryPolicy, Policy } from './contract.ts';
import { changeStatus, variantFromRow, writeDeployment, type VariantToWrite } from './deployment-writer.ts';
import { DeploymentErrors } from './errors.ts';
import { checkJobEnvironment, targetDeployment, targetEnvironment } from './environments-service.ts';
import { rolledOut } from './health.ts';
import { atCanaryStep } from './policy-rules.ts';
import { ProtectionService } from './protection.ts';
import { environmentById, loadDeployment, lockEnvironment, policyOf, variantsOf, type DeploymentRecord, type DeploymentRow, type EnvironmentRow } from './records.ts';

/** Someone or something that changes what runs: a person or job (with its access), or the server's gates. */
type Actor = { access: ProjectAccess } | { system: true };

const callerOf = (actor: Actor): Caller | null => ('access' in actor ? actor.access.caller : null);
const actorName = (caller: Caller | null): string => (caller === null ? 'the gates' : caller.credential === 'job_token' ? `job ${caller.jobId}` : (caller.user?.username ?? 'someone'));

/**
 * How what runs changes after a deployment: the steps of a canary (promoted by its gates or by
 * hand), rollbacks (by a gate, or in one call by a person), and the moment a deployment has
 * rolled out (every live variant has a ready instance). Each change locks the environment,
 * checks that the deployment it acts on is still the current one, and writes one new
 * deployment: what runs and why is always the last deployment's story.
 */
export class Rollouts {
  private readonly listeners: ((environmentId: number) => void)[] = [];

  constructor(
    private readonly database: Database,
    private readonly deps: { target: DeploymentTarget; protection: ProtectionService },
  ) {}

  /** Called when an environment's desired state or serving deployment changes (the gateway's routes, agents' long polls). */
  onChange(listener: (environmentId: number) => void): void {
    this.listeners.push(listener);
  }

  private get db(): Kysely<Schema> {
    return this.database.db;
  }

  /** After the commit that made a deployment current: the target converges, the gateway re-reads. */
  async applied(record: DeploymentRecord): Promise<void> {
    for (const listener of this.listeners) listener(record.environment.id);
    await this.deps.target.apply(targetEnvironment(record.environment), targetDeployment(record));
  }

  /** An A/B deployment with the same variants as the current one continues its series (subjects keep their variant, feedback adds up). */
  async lineageFor(trx: Kysely<Schema>, env: EnvironmentRow, policy: Policy, variants: readonly VariantToWrite[]): Promise<number | 'new'> {
    if (policy.kind !== 'ab' || env.current_deployment_id === null) return 'new';
    const current = await trx.selectFrom('deployments').selectAll().where('id', '=', env.current_deployment_id).executeTakeFirstOrThrow();
    if (policyOf(current).kind !== 'ab') return 'new';
    const key = (vs: readonly { name: string; versionId: number; role: string }[]) =>
      vs
        .filter((v) => v.role === 'live')
        .map((v) => `${v.name}=${v.versionId}`)
        .sort()
        .join(',');
    const currentVariants = (await variantsOf(trx, current.id)).map(variantFromRow);
    return key(currentVariants) === key(variants) ? (current.lineage_id ?? 'new') : 'new';
  }

  /**
   * Back to the previous successful deployment's versions and policy, in one call. "Previous"
   * skips the current deployment's own series and canary steps (a canary is a passage, not a
   * state to return to); the reason is recorded on the new deployment.
   */
  async rollback(access: ProjectAccess, environmentId: number, reason: string): Promise<DeploymentRecord> {
    const env = await environmentById(this.db, access.project.id, environmentId);
    await checkJobEnvironment(this.db, access.caller, env.name);
    await this.checkMayDeploy(access, env);
    const row = await this.database.db.transaction().execute(async (trx) => {
      const locked = await lockEnvironment(trx, this.database.dialect, env.id);
      if (locked.state === 'stopped') throw DeploymentErrors.ENVIRONMENT_STOPPED({ name: env.name, action: 'roll back' });
      const current = locked.current_deployment_id === null ? undefined : await trx.selectFrom('deployments').selectAll().where('id', '=', locked.current_deployment_id).executeTakeFirst();
      if (!current) throw DeploymentErrors.NOTHING_TO_ROLL_BACK_TO({ name: env.name });
      const target = await this.rollbackTarget(trx, locked, current);
      if (!target) throw DeploymentErrors.NOTHING_TO_ROLL_BACK_TO({ name: env.name });
      const policy = policyOf(target);
      return writeDeployment(trx, access.caller, {
        environment: locked,
        status: 'running',
        ref: target.ref,
        sha: target.sha,
        user: access.caller.user,
        deployableJobId: access.caller.credential === 'job_token' ? access.caller.jobId : null,
        policy,
        reason: `rollback requested by ${actorName(access.caller)} to deployment #${target.iid}: ${reason}`,
        rollbackOf: current.id,
        lineage: policy.kind === 'ab' ? (target.lineage_id ?? 'new') : 'new',
        requiredApprovals: 0,
        variants: (await variantsOf(trx, target.id)).map(variantFromRow),
      });
    });
    const record = await loadDeployment(this.db, row);
    await this.applied(record);
    return record;
  }

  private async rollbackTarget(trx: Kysely<Schema>, env: EnvironmentRow, current: DeploymentRow): Promise<DeploymentRow | undefined> {
    const candidates = await trx
      .selectFrom('deployments')
      .selectAll()
      .where('environment_id', '=', env.id)
      .where('status', '=', 'success')
      .where('id', '<', current.id)
      .orderBy('id', 'desc')
      .limit(100)
      .execute();
    return candidates.find((d) => d.lineage_id !== current.lineage_id && policyOf(d).kind !== 'canary');
  }

  /** Takes a canary to its next step now, or promotes it at its last: the gates are skipped. */
  async promote(access: ProjectAccess, environmentId: number, reason: string | undefined): Promise<DeploymentRecord> {
    const env = await environmentById(this.db, access.project.id, environmentId);
    await checkJobEnvironment(this.db, access.caller, env.name);
    await this.checkMayDeploy(access, env);
    const record = await this.advance({ access }, env.id, null, reason ? `promoted by ${actorName(access.caller)}: ${reason}` : `promoted by ${actorName(access.caller)}`);
    if (!record) throw DeploymentErrors.NOT_A_CANARY({ name: env.name });
    return record;
  }

  /** The gates of a canary step passed: the next step, or promotion (null when the environment moved on meanwhile). */
  gatePassed(environmentId: number, deploymentId: number, why: string): Promise<DeploymentRecord | null> {
    return this.advance({ system: true }, environmentId, deploymentId, why);
  }

  /** A gate failed: back to the stable version, the canary deployment marked failed (null when the environment moved on). */
  async gateFailed(environmentId: number, deploymentId: number, why: string): Promise<DeploymentRecord | null> {
    const row = await this.db.transaction().execute(async (trx) => {
      const env = await lockEnvironment(trx, this.database.dialect, environmentId);
      if (env.current_deployment_id !== deploymentId || env.state !== 'available') return null;
      const current = await trx.selectFrom('deployments').selectAll().where('id', '=', deploymentId).executeTakeFirstOrThrow();
      if (policyOf(current).kind !== 'canary') return null;
      const variants = (await variantsOf(trx, current.id)).map(variantFromRow);
      const stable = variants.find((v) => v.name === 'stable')!;
      const rolledBack = await writeDeployment(trx, null, {
        environment: env,
        status: 'running',
        ref: current.ref,
        sha: current.sha,
        user: null,
        deployableJobId: null,
        policy: { kind: 'single' },
        reason: `rollback: ${why}`,
        rollbackOf: current.id,
        lineage: 'new',
        requiredApprovals: 0,
        variants: [{ ...stable, weight: 100 }, ...variants.filter((v) => v.role === 'shadow')],
      });
      await changeStatus(trx, null, env, current, 'failed', { reason: `${current.reason}; failed its gates: ${why}`, audited: true });
      return rolledBack;
    });
    if (!row) return null;
    const record = await loadDeployment(this.db, row);
    await this.applied(record);
    return record;
  }

  private async advance(actor: Actor, environmentId: number, expected: number | null, why: string): Promise<DeploymentRecord | null> {
    const caller = callerOf(actor);
    const row = await this.db.transaction().execute(async (trx) => {
      const env = await lockEnvironment(trx, this.database.dialect, environmentId);
      if (env.current_deployment_id === null || env.state !== 'available') return null;
      if (expected !== null && env.current_deployment_id !== expected) return null;
      const current = await trx.selectFrom('deployments').selectAll().where('id', '=', env.current_deployment_id).executeTakeFirstOrThrow();
      const policy = policyOf(current);
      if (policy.kind !== 'canary') return null;
      const variants = (await variantsOf(trx, current.id)).map(variantFromRow);
      const last = policy.step >= policy.steps.length - 1;
      const base = { environment: env, status: 'running' as const, ref: current.ref, sha: current.sha, user: caller?.user ?? null, deployableJobId: null, rollbackOf: null, requiredApprovals: 0 };
      if (last) {
        const canary = variants.find((v) => v.name === 'canary')!;
        return writeDeployment(trx, caller, {
          ...base,
          policy: { kind: 'single' },
          reason: `canary promoted to stable (${canary.modelName} ${canary.semver}): ${why}`,
          lineage: 'new',
          variants: [{ ...canary, name: 'stable', weight: 100 }, ...variants.filter((v) => v.role === 'shadow')],
        });
      }
      const next = atCanaryStep(variants, policy as CanaryPolicy, policy.step + 1);
      return writeDeployment(trx, caller, {
        ...base,
        policy: next.policy,
        reason: `canary step ${policy.step + 2} of ${policy.steps.length}: ${policy.steps[policy.step + 1]}%: ${why}`,
        lineage: current.lineage_id ?? 'new',
        variants: next.variants,
      });
    });
    if (!row) return null;
    const record = await loadDeployment(this.db, row);
    await this.applied(record);
    return record;
  }

  /**
   * A deployment has rolled out once every live variant with traffic has a ready instance: it
   * becomes `success`, and the environment's serving deployment (what the gateway routes by
   * while a newer one is still starting). Safe to call any time, from any replica.
   */
  async refresh(environmentId: number): Promise<void> {
    const env = await this.db.selectFrom('environments').selectAll().where('id', '=', environmentId).executeTakeFirst();
    if (!env || env.state !== 'available' || env.current_deployment_id === null) return;
    const currentId = env.current_deployment_id;
    const current = await this.db.selectFrom('deployments').selectAll().where('id', '=', currentId).executeTakeFirstOrThrow();
    if (current.status !== 'running' && env.serving_deployment_id === currentId) return;
    // The target is asked outside the transaction: on SQLite a read beside an open transaction would wait for it.
    const status = await this.deps.target.status(targetEnvironment(env));
    if (!rolledOut(await variantsOf(this.db, currentId), status)) return;
    const changed = await this.db.transaction().execute(async (trx) => {
      const locked = await lockEnvironment(trx, this.database.dialect, environmentId);
      if (locked.current_deployment_id !== currentId) return false;
      if (locked.serving_deployment_id !== currentId) await trx.updateTable('environments').set({ serving_deployment_id: currentId }).where('id', '=', environmentId).execute();
      const row = await trx.selectFrom('deployments').selectAll().where('id', '=', currentId).executeTakeFirstOrThrow();
      if (row.status === 'running') await changeStatus(trx, null, locked, row, 'success');
      return true;
    });
    if (changed) for (const listener of this.listeners) listener(environmentId);
  }

  private async checkMayDeploy(access: ProjectAccess, env: EnvironmentRow): Promise<void> {
    const rule = await this.deps.protection.ruleFor(env.project_id, env.name);
    if (!ProtectionService.mayDeploy(access, rule)) throw DeploymentErrors.DEPLOY_NOT_ALLOWED({ name: env.name });
  }
}
