import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import type { Database } from '../db/database.ts';
import { deployableJob } from '../pipelines/deployable-jobs.ts';
import { now } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { guessTier } from '../shared/environment-names.ts';
import type { DeployBody, Policy } from './contract.ts';
import { writeDeployment, type VariantToWrite } from './deployment-writer.ts';
import { DeploymentErrors } from './errors.ts';
import { checkJobEnvironment, type EnvironmentsService } from './environments-service.ts';
import { completePolicy, planVariants, type StableVariant, type VariantPlan } from './policy-rules.ts';
import { ProtectionService } from './protection.ts';
import { environmentByName, loadDeployment, lockEnvironment, policyOf, variantsOf, type DeploymentRecord, type EnvironmentRow, type VariantRow } from './records.ts';
import type { VersionGate } from '../registry/version-gate.ts';
import type { RegistryVersions, ShippedVersion } from './registry-versions.ts';
import type { DeploymentSettingsService } from './settings-service.ts';
import type { Rollouts } from './rollouts.ts';

/** How many times a deployment is written again when another one took its per-project number. */
const IID_ATTEMPTS = 5;

/**
 * Deploying: a person (CLI, API, UI) or a CI job (its token, only to the environment its job
 * names) asks for versions under a traffic policy. Everything is checked first — the policy,
 * the versions (they exist, have files, and are approved where the project requires it), who
 * may deploy to a protected environment — and then one transaction writes the deployment and,
 * unless it waits for approvals, makes it the environment's desired state.
 */
export class DeployService {
  constructor(
    private readonly database: Database,
    private readonly deps: {
      versions: RegistryVersions;
      settings: DeploymentSettingsService;
      protection: ProtectionService;
      environments: EnvironmentsService;
      rollouts: Rollouts;
      /** What may hold a version back from a protected environment (the issue review gate). */
      gate: VersionGate | null;
    },
  ) {}

  async deploy(access: ProjectAccess, body: DeployBody): Promise<DeploymentRecord> {
    const db = this.database.db;
    const caller = access.caller;
    const policy = completePolicy(body.policy);
    await checkJobEnvironment(db, caller, body.environment, { deploying: true });
    const job = caller.jobId !== null && caller.credential === 'job_token' ? await deployableJob(db, caller.jobId) : undefined;
    const jobEnvironment = job?.environment ?? null;

    const existing = await environmentByName(db, access.project.id, body.environment);
    const currentVariants = existing?.current_deployment_id ? await variantsOf(db, existing.current_deployment_id) : null;
    const currentPolicy = existing?.current_deployment_id
      ? policyOf(await db.selectFrom('deployments').select('policy').where('id', '=', existing.current_deployment_id).executeTakeFirstOrThrow())
      : null;
    const plans = planVariants(body, policy, stableOf(currentPolicy, currentVariants), currentPolicy?.kind ?? null);

    const tier = existing?.tier ?? body.tier ?? jobEnvironment?.deploymentTier ?? guessTier(body.environment);
    const shipped = await this.shipped(access, plans);
    await this.checkApprovedForProduction(access.project.id, tier, body.environment, shipped);
    const variants = shipped.map((s) => s.variant);
    const rule = await this.deps.protection.ruleFor(access.project.id, body.environment);
    if (!ProtectionService.mayDeploy(access, rule)) throw DeploymentErrors.DEPLOY_NOT_ALLOWED({ name: body.environment });
    if (rule && this.deps.gate) {
      for (const { variant } of shipped)
        await this.deps.gate.check(access, { versionId: variant.versionId, modelId: variant.modelId, modelName: variant.modelName, version: variant.version }, 'deploy');
    }
    const requiredApprovals = ProtectionService.requiredApprovals(rule);
    const expectedCurrent = existing?.current_deployment_id ?? null;

    const written = await this.withFreshIid(() =>
      db.transaction().execute(async (trx) => {
        const created = await this.deps.environments.ensure(trx, caller, access.project.id, body.environment, { tier, externalUrl: jobEnvironment?.url ?? null });
        const env = await lockEnvironment(trx, this.database.dialect, created.id);
        // A canary's stable version is the one read above: a deployment made meanwhile changes it.
        if (policy.kind === 'canary' && env.current_deployment_id !== expectedCurrent) {
          throw DeploymentErrors.INVALID_POLICY({ detail: `environment ${env.name} got another deployment meanwhile: deploy the canary again` });
        }
        const row = await writeDeployment(trx, caller, {
          environment: env,
          status: requiredApprovals > 0 ? 'blocked' : 'running',
          ref: body.ref ?? job?.pipeline.ref ?? 'main',
          sha: body.sha ?? job?.pipeline.sha ?? null,
          user: caller.user,
          deployableJobId: job?.id ?? null,
          policy,
          reason: body.reason ?? defaultReason(policy, requiredApprovals),
          rollbackOf: null,
          lineage: await this.deps.rollouts.lineageFor(trx, env, policy, variants),
          requiredApprovals,
          variants,
        });
        if (job && jobEnvironment) await this.rememberJobSettings(trx, env, job.pipeline.id, jobEnvironment);
        return row;
      }),
    );
    const record = await loadDeployment(db, written);
    if (written.status === 'running') await this.deps.rollouts.applied(record);
    return record;
  }

  /** Looks every variant's version up: it must exist and be READY. */
  private async shipped(access: ProjectAccess, plans: VariantPlan[]): Promise<{ variant: VariantToWrite; approvalStatus: string }[]> {
    const out: { variant: VariantToWrite; approvalStatus: string }[] = [];
    for (const plan of plans) {
      const version: ShippedVersion = await this.deps.versions.resolve(access, plan.model, plan.version);
      if (version.status !== 'READY') throw DeploymentErrors.VERSION_NOT_DEPLOYABLE({ model: version.modelName, version: version.version, status: version.status });
      out.push({
        approvalStatus: version.approvalStatus,
        variant: {
          name: plan.name,
          modelId: version.modelId,
          modelName: version.modelName,
          versionId: version.versionId,
          version: version.version,
          semver: version.semver,
          weight: plan.weight,
          role: plan.role,
          shadowShare: plan.shadow_share,
        },
      });
    }
    return out;
  }

  private async checkApprovedForProduction(projectId: number, tier: string, environment: string, shipped: { variant: VariantToWrite; approvalStatus: string }[]): Promise<void> {
    if (tier !== 'production') return;
    if (!(await this.deps.settings.get(projectId)).require_approved_versions_in_production) return;
    const unapproved = shipped.find((s) => s.approvalStatus !== 'approved');
    if (unapproved)
      throw DeploymentErrors.VERSION_NOT_APPROVED_FOR_PRODUCTION({ model: unapproved.variant.modelName, version: unapproved.variant.version, environment, status: unapproved.approvalStatus });
  }

  /**
   * A deploy job's `on_stop` and `auto_stop_in` become the environment's. The stop job is the
   * latest deploy job's (GitLab plays the last deployment's stop actions): a job without one
   * leaves none. `auto_stop_in` is renewed only by a job that sets it, as GitLab does.
   */
  private async rememberJobSettings(trx: Kysely<Schema>, env: EnvironmentRow, pipelineId: number, spec: { onStop?: string; autoStopInSeconds?: number | 'never'; url?: string }): Promise<void> {
    const set: { on_stop: string | null; auto_stop_at?: number | null; external_url?: string } = {
      on_stop: spec.onStop === undefined ? null : JSON.stringify({ pipeline_id: pipelineId, job_name: spec.onStop }),
    };
    if (spec.autoStopInSeconds !== undefined) set.auto_stop_at = spec.autoStopInSeconds === 'never' ? null : now() + spec.autoStopInSeconds * 1000;
    if (spec.url !== undefined && spec.url !== '') set.external_url = spec.url;
    await trx.updateTable('environments').set(set).where('id', '=', env.id).execute();
  }

  /** Two deployments in one project at once may pick the same number on PostgreSQL: the loser writes again. */
  private async withFreshIid<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= IID_ATTEMPTS || error instanceof AppError || !/deployments_iid|unique|duplicate/i.test(String(error))) throw error;
      }
    }
  }
}

/** What a canary starts from: the environment's single live variant. */
function stableOf(policy: Policy | null, variants: VariantRow[] | null): StableVariant | null {
  if (policy?.kind !== 'single' || !variants) return null;
  const live = variants.find((v) => v.role === 'live');
  return live ? { model: live.model_name, versionId: live.version_id, version: live.version } : null;
}

function defaultReason(policy: Policy, requiredApprovals: number): string {
  const what = policy.kind === 'canary' ? `canary step 1 of ${policy.steps.length}: ${policy.steps[0]}%` : policy.kind === 'ab' ? 'A/B test' : 'deployed';
  return requiredApprovals > 0 ? `${what} (waiting for ${requiredApprovals} approval${requiredApprovals === 1 ? '' : 's'})` : what;
}
