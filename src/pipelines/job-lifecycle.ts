import type { Kysely } from 'kysely';
import type { Caller } from '../auth/caller.ts';
import type { Database } from '../db/database.ts';
import type { Schema } from '../db/schema.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { FAILURE_REASONS } from './failure-reasons.ts';
import { readSpec } from './job-spec.ts';
import type { JobRow } from './job-payload.ts';
import { advancePipeline, lockPipeline } from './pipeline-processor.ts';
import { ACTIVE_STATUSES, isFinished } from './pipeline-status.ts';
import { PipelineErrors } from './errors.ts';

/** Running jobs past their time limit get this long for the runner to report before the server fails them. */
const TIMEOUT_GRACE_MS = 30_000;

function retryAllowed(job: JobRow, reason: string): boolean {
  const retry = readSpec(job).retry;
  if (job.attempt > retry.max) return false;
  return retry.when.includes('always') || retry.when.includes(reason);
}

/**
 * Everything that changes a job after it exists: the runner's reports, retries (automatic and
 * by hand), cancellation, playing manual jobs, and the watchdog's verdicts. Each change locks
 * the pipeline, changes the job only from the state it was read in, and moves the pipeline on.
 */
export class JobLifecycle {
  constructor(
    private readonly database: Database,
    private readonly onQueued: () => void,
  ) {}

  private async inPipeline<T>(pipelineId: number, work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
    let queued = false;
    const result = await this.database.db.transaction().execute(async (trx) => {
      await lockPipeline(trx, this.database.dialect, pipelineId);
      const value = await work(trx);
      queued = (await advancePipeline(trx, pipelineId)).queued;
      return value;
    });
    if (queued) this.onQueued();
    return result;
  }

  /** A runner's report that the job is still alive (and, in the answer, whether it should go on). */
  async heartbeat(job: JobRow): Promise<void> {
    if (job.status === 'running') await this.database.db.updateTable('ci_jobs').set({ heartbeat_at: now() }).where('id', '=', job.id).execute();
  }

  /** The runner's verdict; a failed job with `retry` left starts its next attempt at once. */
  async finish(job: JobRow, outcome: { state: 'success' | 'failed'; reason?: string; exitCode?: number | null }): Promise<void> {
    const reason = outcome.state === 'failed' ? (outcome.reason && (FAILURE_REASONS as readonly string[]).includes(outcome.reason) ? outcome.reason : 'unknown_failure') : null;
    await this.inPipeline(job.pipeline_id, async (trx) => {
      const at = now();
      const result = await trx
        .updateTable('ci_jobs')
        .set({ status: outcome.state, failure_reason: reason, exit_code: outcome.exitCode ?? null, finished_at: at, heartbeat_at: at })
        .where('id', '=', job.id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return; // canceled or failed by the watchdog meanwhile
      if (outcome.state === 'failed' && retryAllowed(job, reason!)) await this.newAttempt(trx, job, 'pending', job.user_id);
      await recordChange(trx, null, { type: `ci.job.${outcome.state}`, projectId: job.project_id, payload: { job_id: job.id, pipeline_id: job.pipeline_id, name: job.name, failure_reason: reason } });
    });
  }

  /** A copy of the job as its next attempt; the old one stays, marked retried. */
  private async newAttempt(trx: Kysely<Schema>, job: JobRow, status: 'pending' | 'created', userId: number | null): Promise<void> {
    await trx.updateTable('ci_jobs').set({ retried: 1 }).where('id', '=', job.id).execute();
    const at = now();
    await trx
      .insertInto('ci_jobs')
      .values({
        pipeline_id: job.pipeline_id,
        project_id: job.project_id,
        name: job.name,
        stage: job.stage,
        stage_index: job.stage_index,
        status,
        when: job.when === 'manual' ? 'on_success' : job.when,
        allow_failure: job.allow_failure,
        needs: job.needs,
        tags: job.tags,
        spec: job.spec,
        attempt: job.attempt + 1,
        timeout_seconds: job.timeout_seconds,
        resource_group: job.resource_group,
        user_id: userId,
        created_at: at,
        queued_at: status === 'pending' ? at : null,
      })
      .execute();
  }

  private async latestJobs(trx: Kysely<Schema>, pipelineId: number): Promise<JobRow[]> {
    return trx.selectFrom('ci_jobs').selectAll().where('pipeline_id', '=', pipelineId).where('retried', '=', 0).orderBy('id').execute();
  }

  /** Jobs skipped because of what is being retried wait again, as in GitLab. */
  private async reopenDownstream(trx: Kysely<Schema>, pipelineId: number, names: Set<string>): Promise<void> {
    const jobs = await this.latestJobs(trx, pipelineId);
    const reopen = new Set(names);
    for (let grew = true; grew;) {
      grew = false;
      for (const job of jobs) {
        if (reopen.has(job.name) || !(JSON.parse(job.needs) as string[]).some((n) => reopen.has(n))) continue;
        if (job.status === 'skipped' || job.status === 'canceled') {
          reopen.add(job.name);
          grew = true;
        }
      }
    }
    for (const job of jobs) {
      if (!names.has(job.name) && reopen.has(job.name)) {
        await trx.updateTable('ci_jobs').set({ status: 'created', finished_at: null, failure_reason: null }).where('id', '=', job.id).execute();
      }
    }
  }

  async retryJob(caller: Caller, job: JobRow): Promise<void> {
    if (job.retried === 1) throw PipelineErrors.JOB_NOT_RETRYABLE({ detail: 'Job is not the latest attempt: retry the newest one' });
    if (!isFinished(job.status)) throw PipelineErrors.JOB_NOT_RETRYABLE({ detail: `Job is ${job.status} and cannot be retried` });
    await this.inPipeline(job.pipeline_id, async (trx) => {
      await this.newAttempt(trx, job, 'created', caller.user?.id ?? null);
      await this.reopenDownstream(trx, job.pipeline_id, new Set([job.name]));
      await recordChange(trx, caller, { type: 'ci.job.retried', projectId: job.project_id, payload: { job_id: job.id, pipeline_id: job.pipeline_id } });
    });
  }

  async retryPipeline(caller: Caller, pipelineId: number, projectId: number): Promise<void> {
    await this.inPipeline(pipelineId, async (trx) => {
      const jobs = await this.latestJobs(trx, pipelineId);
      const failed = jobs.filter((j) => j.status === 'failed' || j.status === 'canceled');
      if (failed.length === 0) throw PipelineErrors.PIPELINE_NOT_RETRYABLE();
      for (const job of failed) await this.newAttempt(trx, job, 'created', caller.user?.id ?? null);
      await this.reopenDownstream(trx, pipelineId, new Set(failed.map((j) => j.name)));
      await recordChange(trx, caller, { type: 'ci.pipeline.retried', projectId, payload: { pipeline_id: pipelineId } });
    });
  }

  async cancelJob(caller: Caller, job: JobRow): Promise<void> {
    if (![...ACTIVE_STATUSES, 'manual'].includes(job.status)) throw PipelineErrors.JOB_NOT_CANCELABLE({ status: job.status });
    await this.inPipeline(job.pipeline_id, async (trx) => {
      await this.cancelRows(trx, [job]);
      await recordChange(trx, caller, { type: 'ci.job.canceled', projectId: job.project_id, payload: { job_id: job.id, pipeline_id: job.pipeline_id } });
    });
  }

  async cancelPipeline(caller: Caller, pipelineId: number, projectId: number): Promise<void> {
    await this.inPipeline(pipelineId, async (trx) => {
      const jobs = (await this.latestJobs(trx, pipelineId)).filter((j) => [...ACTIVE_STATUSES, 'manual'].includes(j.status));
      await this.cancelRows(trx, jobs);
      await recordChange(trx, caller, { type: 'ci.pipeline.canceled', projectId, payload: { pipeline_id: pipelineId } });
    });
  }

  /** A running job's runner learns of it on its next report and stops the job. */
  private async cancelRows(trx: Kysely<Schema>, jobs: JobRow[]): Promise<void> {
    const at = now();
    for (const job of jobs) {
      await trx.updateTable('ci_jobs').set({ status: 'canceled', finished_at: at }).where('id', '=', job.id).where('status', '=', job.status).execute();
    }
  }

  /** Starts a manual job, optionally with variables for this run (GitLab's `job_variables_attributes`). */
  async play(caller: Caller, job: JobRow, variables: Record<string, string> = {}): Promise<void> {
    if (job.status !== 'manual') throw PipelineErrors.JOB_NOT_PLAYABLE({ status: job.status });
    const spec = readSpec(job);
    spec.variables = { ...spec.variables, ...variables };
    await this.inPipeline(job.pipeline_id, async (trx) => {
      await trx
        .updateTable('ci_jobs')
        .set({ status: 'pending', queued_at: now(), user_id: caller.user?.id ?? job.user_id, spec: JSON.stringify(spec) })
        .where('id', '=', job.id)
        .where('status', '=', 'manual')
        .execute();
      await recordChange(trx, caller, { type: 'ci.job.played', projectId: job.project_id, payload: { job_id: job.id, pipeline_id: job.pipeline_id } });
    });
    this.onQueued();
  }

  /**
   * The watchdog: a running job whose runner stopped reporting is failed as a runner system
   * failure; one past its time limit (plus grace, the runner should have stopped it) as a
   * timeout. Either may be retried by `retry:when`. Safe to run on every replica.
   */
  async failStale(heartbeatTimeoutMs: number): Promise<number> {
    const at = now();
    const running = await this.database.db.selectFrom('ci_jobs').selectAll().where('status', '=', 'running').execute();
    let failed = 0;
    for (const job of running) {
      const silent = job.heartbeat_at !== null && at - job.heartbeat_at > heartbeatTimeoutMs;
      const overdue = job.started_at !== null && at - job.started_at > job.timeout_seconds * 1000 + TIMEOUT_GRACE_MS;
      if (!silent && !overdue) continue;
      await this.finish(job, { state: 'failed', reason: overdue ? 'job_execution_timeout' : 'runner_system_failure' });
      failed++;
    }
    return failed;
  }
}
