import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Schema } from '../db/schema.ts';
import { deployableJob } from '../pipelines/deployable-jobs.ts';
import { OutboxConsumer, type OutboxEvent } from '../events/outbox-consumer.ts';
import { WorkLeases } from '../events/work-leases.ts';
import { now } from '../shared/clock.ts';
import { changeStatus } from './deployment-writer.ts';
import type { EnvironmentsService } from './environments-service.ts';
import { environmentByName, lockEnvironment } from './records.ts';
import type { Rollouts } from './rollouts.ts';

const CONSUMER = 'deployments';
/** How long one tick may spend catching up with CI events before the other duties get their turn. */
const FOLLOW_BUDGET_MS = 2_000;
/** CI events this domain follows: a deploy job's end decides its blocked deployment; a stop job's end stops its environment, or (failed, canceled) makes it available again. */
const JOB_EVENTS = ['ci.job.success', 'ci.job.failed', 'ci.job.canceled'];

/**
 * The deployments domain's background duties, each safe on any number of replicas: mark
 * deployments that rolled out (also done at once on the replica an agent reports to), stop
 * environments whose `auto_stop_in` ran out, and follow CI jobs that deploy or stop.
 */
export class DeploymentsWorker {
  constructor(
    private readonly database: Database,
    private readonly deps: { rollouts: Rollouts; environments: EnvironmentsService; logger: Logger },
  ) {
    // A new server follows jobs from now on (older events are history); one replica at a time reads.
    this.jobEvents = new OutboxConsumer(database.db, new WorkLeases(database.db), CONSUMER, 500, (events) => this.handleJobEvents(events), 'now');
  }

  private readonly jobEvents: OutboxConsumer;

  private get db(): Kysely<Schema> {
    return this.database.db;
  }

  async tick(): Promise<void> {
    await this.refreshRollouts();
    await this.autoStop();
    await this.followJobs();
  }

  private async refreshRollouts(): Promise<void> {
    const envs = await this.db
      .selectFrom('environments')
      .innerJoin('deployments', 'deployments.id', 'environments.current_deployment_id')
      .select('environments.id')
      .where('environments.state', '=', 'available')
      .where((eb) =>
        eb.or([
          eb('deployments.status', '=', 'running'),
          eb('environments.serving_deployment_id', 'is', null),
          eb('environments.serving_deployment_id', '!=', eb.ref('environments.current_deployment_id')),
        ]),
      )
      .execute();
    for (const env of envs) await this.deps.rollouts.refresh(env.id);
  }

  private async autoStop(): Promise<void> {
    const due = await this.db.selectFrom('environments').selectAll().where('state', '=', 'available').where('auto_stop_at', '<=', now()).execute();
    for (const env of due) {
      await this.deps.environments.stopEnvironment(null, env, { force: false, reason: 'auto_stop_in elapsed' });
      this.deps.logger.info({ environment: env.name, project: env.project_id }, 'stopped an environment whose auto_stop_in elapsed');
    }
  }

  private async followJobs(): Promise<void> {
    await this.jobEvents.drain(FOLLOW_BUDGET_MS);
  }

  private async handleJobEvents(events: OutboxEvent[]): Promise<void> {
    for (const event of events) {
      if (!JOB_EVENTS.includes(event.type)) continue;
      try {
        await this.jobFinished(Number((JSON.parse(event.payload) as { job_id: number }).job_id), event.type.slice('ci.job.'.length));
      } catch (error) {
        this.deps.logger.warn({ err: error, event_id: event.id }, 'a CI job event could not be applied to its deployments');
      }
    }
  }

  private async jobFinished(jobId: number, outcome: string): Promise<void> {
    const job = await deployableJob(this.db, jobId);
    if (!job?.environment) return;
    if (job.environment.action === 'stop') {
      const env = await environmentByName(this.db, job.projectId, job.environment.name);
      if (!env) return;
      if (outcome !== 'success') await this.deps.environments.stopFailed(env, `its stop job ${job.name} (#${job.id}) ${outcome}`);
      else if (env.state === 'stopping') await this.deps.environments.stopped(env, job.name);
      else if (env.state === 'available') await this.deps.environments.stopEnvironment(null, env, { force: true, reason: `stopped by job ${job.name} (#${job.id})` });
      return;
    }
    if (outcome === 'success') return;
    // A deploy job that failed or was canceled while its deployment waited for approvals takes the deployment with it.
    const blocked = await this.db.selectFrom('deployments').selectAll().where('deployable_job_id', '=', jobId).where('status', '=', 'blocked').execute();
    for (const row of blocked) {
      await this.db.transaction().execute(async (trx) => {
        const env = await lockEnvironment(trx, this.database.dialect, row.environment_id);
        const fresh = await trx.selectFrom('deployments').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
        if (fresh.status === 'blocked') await changeStatus(trx, null, env, fresh, 'canceled', { reason: `${fresh.reason}; its job ${job.name} ${outcome}`, audited: true });
      });
    }
  }
}
