import { sql, type Kysely } from 'kysely';
import { anonymousCaller, type Caller } from '../auth/caller.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Database } from '../db/database.ts';
import type { Schema } from '../db/schema.ts';
import { containsText } from '../db/like.ts';
import { recordChange } from '../events/outbox.ts';
import { deployableJob, jobOfPipeline } from '../pipelines/deployable-jobs.ts';
import type { JobLifecycle } from '../pipelines/job-lifecycle.ts';
import { now } from '../shared/clock.ts';
import { environmentSlug, guessTier, type EnvironmentTier } from '../shared/environment-names.ts';
import type { DeploymentTarget, TargetDeployment, TargetEnvironment } from '../targets/target.ts';
import type { CreateEnvironmentBody, EnvironmentHealth, EnvironmentsQuery, UpdateEnvironmentBody } from './contract.ts';
import { DeploymentErrors } from './errors.ts';
import { environmentHealth } from './health.ts';
import { staleBefore, staleEnvironments } from './stale-environments.ts';
import { environmentById, environmentByName, loadDeployment, lockEnvironment, optionalDeployment, policyOf, type DeploymentRecord, type EnvironmentRow } from './records.ts';

export interface EnvironmentDefaults {
  tier?: EnvironmentTier;
  externalUrl?: string | null;
}

export const targetEnvironment = (env: EnvironmentRow): TargetEnvironment => ({ id: env.id, projectId: env.project_id, name: env.name, state: env.state, routing: env.routing, target: env.target });

/**
 * Environments: GitLab's create, update, stop and delete, and the detail that says what runs
 * and how healthy it is. A deployment to an environment that does not exist makes it, as
 * GitLab's deployments do.
 */
export class EnvironmentsService {
  constructor(
    private readonly database: Database,
    private readonly deps: { target: DeploymentTarget; lifecycle: JobLifecycle },
  ) {}

  private get db(): Kysely<Schema> {
    return this.database.db;
  }

  async list(access: ProjectAccess, query: EnvironmentsQuery, window: { offset: number; limit: number }): Promise<{ total: number; items: EnvironmentRow[] }> {
    let base = this.db.selectFrom('environments').where('project_id', '=', access.project.id);
    if (query.name !== undefined) base = base.where('name', '=', query.name);
    if (query.search !== undefined) base = base.where(containsText(sql.ref('name'), query.search));
    if (query.states !== undefined) base = base.where('state', '=', query.states);
    const [count, items] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('name').offset(window.offset).limit(window.limit).execute(),
    ]);
    return { total: Number(count.n), items };
  }

  get(access: ProjectAccess, id: number): Promise<EnvironmentRow> {
    return environmentById(this.db, access.project.id, id);
  }

  /** What an environment's page shows: its last and current deployments and its health. */
  async detail(access: ProjectAccess, id: number): Promise<{ env: EnvironmentRow; last: DeploymentRecord | null; current: DeploymentRecord | null; health: EnvironmentHealth }> {
    const env = await this.get(access, id);
    const lastRow = await this.db.selectFrom('deployments').selectAll().where('environment_id', '=', env.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    const last = lastRow ? await loadDeployment(this.db, lastRow) : null;
    const current = last && last.row.id === env.current_deployment_id ? last : await optionalDeployment(this.db, env.current_deployment_id);
    const status = await this.deps.target.status(targetEnvironment(env));
    return { env, last, current, health: environmentHealth(env, current?.variants ?? null, status) };
  }

  async create(access: ProjectAccess, body: CreateEnvironmentBody): Promise<EnvironmentRow> {
    return this.db.transaction().execute(async (trx) => {
      if (await environmentByName(trx, access.project.id, body.name)) throw DeploymentErrors.ENVIRONMENT_EXISTS({ name: body.name });
      return this.insert(trx, access.caller, access.project.id, body.name, {
        tier: body.tier,
        externalUrl: body.external_url ?? null,
        agentLabels: body.agent_labels,
        timeoutMs: body.timeout_ms,
        command: body.command ?? null,
      });
    });
  }

  /** The environment of that name, made with these defaults when it does not exist (inside the caller's transaction). */
  async ensure(trx: Kysely<Schema>, caller: Caller | null, projectId: number, name: string, defaults: EnvironmentDefaults): Promise<EnvironmentRow> {
    const existing = await environmentByName(trx, projectId, name);
    if (existing) return existing;
    return this.insert(trx, caller, projectId, name, { tier: defaults.tier, externalUrl: defaults.externalUrl ?? null });
  }

  private async insert(
    trx: Kysely<Schema>,
    caller: Caller | null,
    projectId: number,
    name: string,
    settings: { tier?: EnvironmentTier; externalUrl: string | null; agentLabels?: string[]; timeoutMs?: number; command?: CreateEnvironmentBody['command'] },
  ): Promise<EnvironmentRow> {
    const slug = environmentSlug(name);
    const clash = await trx.selectFrom('environments').select('name').where('project_id', '=', projectId).where('slug', '=', slug).executeTakeFirst();
    if (clash) throw DeploymentErrors.ENVIRONMENT_SLUG_TAKEN({ name, slug });
    const at = now();
    const row = await trx
      .insertInto('environments')
      .values({
        project_id: projectId,
        name,
        slug,
        tier: settings.tier ?? guessTier(name),
        state: 'available',
        routing: 'gateway',
        target: 'agent',
        external_url: settings.externalUrl,
        agent_labels: JSON.stringify([...new Set(settings.agentLabels ?? [])]),
        timeout_ms: settings.timeoutMs ?? 30_000,
        command: settings.command ? JSON.stringify(settings.command) : null,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordChange(
      trx,
      caller,
      { type: 'deployments.environment.created', projectId, payload: { environment_id: row.id, environment: row.name, tier: row.tier } },
      { action: 'deployments.environment.created', targetType: 'environment', targetId: row.id, details: { name, tier: row.tier, external_url: row.external_url } },
    );
    return row;
  }

  async update(access: ProjectAccess, id: number, body: UpdateEnvironmentBody): Promise<EnvironmentRow> {
    const updated = await this.db.transaction().execute(async (trx) => {
      const env = await environmentById(trx, access.project.id, id);
      if (body.name !== undefined && body.name !== env.name) {
        throw DeploymentErrors.INVALID_POLICY({ detail: "an environment's name cannot change (deploy jobs and serving URLs name it): create another environment" });
      }
      const row = await trx
        .updateTable('environments')
        .set({
          ...(body.external_url !== undefined ? { external_url: body.external_url } : {}),
          ...(body.tier !== undefined ? { tier: body.tier } : {}),
          ...(body.agent_labels !== undefined ? { agent_labels: JSON.stringify([...new Set(body.agent_labels)]) } : {}),
          ...(body.timeout_ms !== undefined ? { timeout_ms: body.timeout_ms } : {}),
          ...(body.command !== undefined ? { command: body.command === null ? null : JSON.stringify(body.command) } : {}),
          updated_at: now(),
        })
        .where('id', '=', env.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordChange(
        trx,
        access.caller,
        { type: 'deployments.environment.updated', projectId: env.project_id, payload: { environment_id: env.id, environment: env.name, tier: row.tier } },
        { action: 'deployments.environment.updated', targetType: 'environment', targetId: env.id, details: { ...body } },
      );
      return row;
    });
    // Labels and commands change which agents run what: they re-read their assignments.
    const current = await optionalDeployment(this.db, updated.current_deployment_id);
    if (current) await this.deps.target.apply(targetEnvironment(updated), targetDeployment(current));
    return updated;
  }

  /**
   * Binds the environment to a target other than the local agents (issue 18), with the
   * routing asked for: the target's own settings are the target's to write (`write`, in this
   * transaction). What is current is then applied there.
   */
  async bindTarget(
    access: ProjectAccess,
    id: number,
    change: { target: 'kserve' | 'vertex'; routing: 'gateway' | 'native'; details: Record<string, unknown>; write: (trx: Kysely<Schema>, environmentId: number) => Promise<void> },
  ): Promise<EnvironmentRow> {
    // Moving from one target to another: the old one stops serving first (it needs its settings to).
    const before = await environmentById(this.db, access.project.id, id);
    if (before.target !== 'agent' && before.target !== change.target) await this.deps.target.stop(targetEnvironment(before));
    const updated = await this.db.transaction().execute(async (trx) => {
      const env = await lockEnvironment(trx, this.database.dialect, before.id);
      await change.write(trx, env.id);
      const row = await trx.updateTable('environments').set({ target: change.target, routing: change.routing, updated_at: now() }).where('id', '=', env.id).returningAll().executeTakeFirstOrThrow();
      await recordChange(
        trx,
        access.caller,
        { type: 'deployments.environment.updated', projectId: env.project_id, payload: { environment_id: env.id, environment: env.name, tier: row.tier } },
        { action: 'deployments.environment.target_set', targetType: 'environment', targetId: env.id, details: { target: change.target, routing: change.routing, ...change.details } },
      );
      return row;
    });
    const current = await optionalDeployment(this.db, updated.current_deployment_id);
    if (current && updated.state === 'available') await this.deps.target.apply(targetEnvironment(updated), targetDeployment(current));
    return updated;
  }

  /** Back to the local agents: the target stops serving first (it needs its settings to), then they are removed (`remove`). */
  async unbindTarget(access: ProjectAccess, id: number, remove: (trx: Kysely<Schema>, environmentId: number) => Promise<boolean>): Promise<EnvironmentRow> {
    const env = await environmentById(this.db, access.project.id, id);
    if (env.target === 'agent') throw DeploymentErrors.NO_TARGET_SET({ name: env.name });
    await this.deps.target.stop(targetEnvironment(env));
    const updated = await this.db.transaction().execute(async (trx) => {
      await lockEnvironment(trx, this.database.dialect, env.id);
      await remove(trx, env.id);
      const row = await trx.updateTable('environments').set({ target: 'agent', routing: 'gateway', updated_at: now() }).where('id', '=', env.id).returningAll().executeTakeFirstOrThrow();
      await recordChange(
        trx,
        access.caller,
        { type: 'deployments.environment.updated', projectId: env.project_id, payload: { environment_id: env.id, environment: env.name, tier: row.tier } },
        { action: 'deployments.environment.target_removed', targetType: 'environment', targetId: env.id, details: { target: env.target } },
      );
      return row;
    });
    const current = await optionalDeployment(this.db, updated.current_deployment_id);
    if (current && updated.state === 'available') await this.deps.target.apply(targetEnvironment(updated), targetDeployment(current));
    return updated;
  }

  async delete(access: ProjectAccess, id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const env = await environmentById(trx, access.project.id, id);
      if (env.state !== 'stopped') throw DeploymentErrors.ENVIRONMENT_NOT_STOPPED({ name: env.name });
      await trx.deleteFrom('environments').where('id', '=', env.id).execute();
      await recordChange(
        trx,
        access.caller,
        { type: 'deployments.environment.deleted', projectId: env.project_id, payload: { environment_id: env.id, environment: env.name, tier: env.tier } },
        { action: 'deployments.environment.deleted', targetType: 'environment', targetId: env.id, details: { name: env.name } },
      );
    });
  }

  /**
   * Stops an environment: its instances stop and the gateway answers 503. With an `on_stop`
   * job (from the deploy job's `environment:on_stop`) the job is played and the environment is
   * `stopping` until it succeeds; `force` stops at once.
   */
  async stop(access: ProjectAccess, id: number, options: { force?: boolean } = {}): Promise<EnvironmentRow> {
    const env = await this.get(access, id);
    await checkJobEnvironment(this.db, access.caller, env.name);
    return this.stopEnvironment(access.caller, env, { force: options.force ?? false, reason: `stopped by ${access.caller.user?.username ?? 'a job'}` });
  }

  /**
   * GitLab's stop_stale: every available, unprotected environment untouched since `before` is
   * stopped as a stop request would (its on_stop job played). A job token stops only its own.
   */
  async stopStale(access: ProjectAccess, before: string): Promise<number> {
    const since = staleBefore(before, now());
    const stale = await staleEnvironments(this.db, access.project.id, since);
    const job = access.caller.credential === 'job_token' && access.caller.jobId !== null ? await deployableJob(this.db, access.caller.jobId) : undefined;
    const mine = job === undefined ? stale : stale.filter((env) => env.name === job?.environment?.name);
    for (const env of mine) await this.stopEnvironment(access.caller, env, { force: false, reason: `stale: not changed or deployed to since ${new Date(since).toISOString()}` });
    return mine.length;
  }

  /** Stops an environment for a person, a job, or the server (auto_stop_in). */
  async stopEnvironment(caller: Caller | null, env: EnvironmentRow, options: { force: boolean; reason: string }): Promise<EnvironmentRow> {
    const onStop = env.on_stop === null || options.force ? null : (JSON.parse(env.on_stop) as { pipeline_id: number; job_name: string });
    const stopJob = onStop ? await jobOfPipeline(this.db, onStop.pipeline_id, onStop.job_name) : undefined;
    const playable = stopJob?.status === 'manual';
    let changed = false;
    const stopped = await this.db.transaction().execute(async (trx) => {
      const locked = await lockEnvironment(trx, this.database.dialect, env.id);
      // A stopping environment waits for the stop job already played; only force ends the wait (GitLab's stop_complete).
      if (locked.state === 'stopped' || (locked.state === 'stopping' && !options.force)) return locked;
      changed = true;
      const state = playable && locked.state === 'available' ? 'stopping' : 'stopped';
      const row = await trx.updateTable('environments').set({ state, auto_stop_at: null, updated_at: now() }).where('id', '=', env.id).returningAll().executeTakeFirstOrThrow();
      // Subscribers hear "stopped" when it is; a played stop job is only an update until it succeeds.
      const payload = { environment_id: env.id, environment: env.name, tier: env.tier };
      await recordChange(
        trx,
        caller,
        state === 'stopped'
          ? { type: 'deployments.environment.stopped', projectId: env.project_id, payload: { ...payload, reason: options.reason } }
          : { type: 'deployments.environment.updated', projectId: env.project_id, payload },
        {
          action: state === 'stopped' ? 'deployments.environment.stopped' : 'deployments.environment.stopping',
          targetType: 'environment',
          targetId: env.id,
          details: { reason: options.reason, on_stop: playable ? onStop : null },
        },
      );
      return row;
    });
    if (!changed) return stopped;
    // The server's own stop (auto_stop_in) plays the job as the pipeline's user, as GitLab does.
    if (stopped.state === 'stopping' && stopJob) await this.deps.lifecycle.play(caller ?? anonymousCaller(), stopJob);
    await this.deps.target.stop(targetEnvironment(stopped));
    return stopped;
  }

  /**
   * The stop job failed or was canceled: a stopping environment is available again and serves
   * what it served (GitLab's `recover_stuck_stopping`), so that it can be stopped again.
   */
  async stopFailed(env: EnvironmentRow, reason: string): Promise<void> {
    const recovered = await this.db.transaction().execute(async (trx) => {
      const locked = await lockEnvironment(trx, this.database.dialect, env.id);
      if (locked.state !== 'stopping') return null;
      const row = await trx.updateTable('environments').set({ state: 'available', updated_at: now() }).where('id', '=', env.id).returningAll().executeTakeFirstOrThrow();
      await recordChange(
        trx,
        null,
        { type: 'deployments.environment.updated', projectId: env.project_id, payload: { environment_id: env.id, environment: env.name, tier: env.tier } },
        { action: 'deployments.environment.stop_failed', targetType: 'environment', targetId: env.id, details: { reason } },
      );
      return row;
    });
    const current = recovered ? await optionalDeployment(this.db, recovered.current_deployment_id) : null;
    if (recovered && current) await this.deps.target.apply(targetEnvironment(recovered), targetDeployment(current));
  }

  /** The `on_stop` job finished: a stopping environment is now stopped. */
  async stopped(env: EnvironmentRow, stopJob: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const locked = await lockEnvironment(trx, this.database.dialect, env.id);
      if (locked.state !== 'stopping') return;
      await trx.updateTable('environments').set({ state: 'stopped', updated_at: now() }).where('id', '=', env.id).execute();
      const reason = `its stop job ${stopJob} succeeded`;
      await recordChange(
        trx,
        null,
        { type: 'deployments.environment.stopped', projectId: env.project_id, payload: { environment_id: env.id, environment: env.name, tier: env.tier, reason } },
        { action: 'deployments.environment.stopped', targetType: 'environment', targetId: env.id, details: { reason } },
      );
    });
  }
}

export const targetDeployment = (record: DeploymentRecord): TargetDeployment => ({
  id: record.row.id,
  policy: policyOf(record.row).kind,
  variants: record.variants.map((v) => ({ name: v.name, versionId: v.version_id, role: v.role, weight: v.weight })),
});

/**
 * A CI job token acts only on the environment its job names (`environment:`), and deploys only
 * from a job whose action is `start` (the others prepare, verify or stop).
 */
export async function checkJobEnvironment(db: Kysely<Schema>, caller: Caller, environment: string, options: { deploying?: boolean } = {}): Promise<void> {
  if (caller.credential !== 'job_token' || caller.jobId === null) return;
  const job = await deployableJob(db, caller.jobId);
  const named = job?.environment?.name ?? null;
  if (named !== environment) throw DeploymentErrors.JOB_ENVIRONMENT_MISMATCH({ job: job?.name ?? String(caller.jobId), environment, named });
  if (options.deploying && job!.environment!.action !== 'start') throw DeploymentErrors.JOB_ACTION_NOT_START({ job: job!.name, action: job!.environment!.action });
}
