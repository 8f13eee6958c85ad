import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';
import type { JobLifecycle } from './job-lifecycle.ts';
import type { JobRow } from './job-payload.ts';

/** A job handed out this many times without any runner confirming it fails instead of going round again. */
export const MAX_UNCONFIRMED_PICKUPS = 3;

/**
 * A handed-out job is the runner's only once the runner confirms it, by its first report with
 * the job's token (a log chunk, a status update, an artifact or git request). GitLab Runner
 * starts a job as soon as it has decoded it and reports within seconds; Modelyard's runner
 * confirms before it runs anything. A handout nobody confirms (the answer was lost, or the
 * runner could not read the job) goes back to the queue: its token is dropped in the same
 * conditional update, so a runner that got the job after all is refused from its first report
 * on and stops it. Confirming and putting back are each one conditional UPDATE on the same
 * row, so exactly one of them wins: a job is never both run and queued again.
 */
export class JobHandouts {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly lifecycle: JobLifecycle,
    private readonly onQueued: () => void,
  ) {}

  /** Whether the job is (now) confirmed for the runner holding its token; false: it was put back meanwhile. */
  async confirm(job: JobRow): Promise<boolean> {
    if (job.confirmed_at !== null || job.status !== 'running' || job.token_hash === null) return true;
    const result = await this.db
      .updateTable('ci_jobs')
      .set({ confirmed_at: now() })
      .where('id', '=', job.id)
      .where('token_hash', '=', job.token_hash)
      .where('status', '=', 'running')
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return true;
    const current = await this.db.selectFrom('ci_jobs').select(['token_hash', 'confirmed_at']).where('id', '=', job.id).executeTakeFirst();
    return current?.token_hash === job.token_hash && current.confirmed_at !== null;
  }

  /** Confirms by the job alone, for a request already authenticated by the job's token (a git fetch). */
  async confirmById(jobId: number): Promise<void> {
    await this.db.updateTable('ci_jobs').set({ confirmed_at: now() }).where('id', '=', jobId).where('status', '=', 'running').where('confirmed_at', 'is', null).execute();
  }

  /** Puts an unconfirmed handout back at once (the answer carrying it could not be sent). */
  async giveBack(jobId: number, tokenHash: string): Promise<boolean> {
    const back = await this.requeue(jobId, tokenHash);
    if (back) this.onQueued();
    return back;
  }

  private async requeue(jobId: number, tokenHash: string): Promise<boolean> {
    const result = await this.db
      .updateTable('ci_jobs')
      .set({ status: 'pending', runner_id: null, token_hash: null, started_at: null, heartbeat_at: null, queued_at: now() })
      .where('id', '=', jobId)
      .where('token_hash', '=', tokenHash)
      .where('status', '=', 'running')
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * The watchdog's part: handouts older than `timeoutMs` that no runner confirmed go back to the
   * queue, or fail (runner_system_failure, which `retry:when` may name) after too many tries.
   * Safe on every replica: each row changes at most once per handout.
   */
  async requeueUnconfirmed(timeoutMs: number): Promise<number> {
    const stale = await this.db
      .selectFrom('ci_jobs')
      .selectAll()
      .where('status', '=', 'running')
      .where('confirmed_at', 'is', null)
      .where('started_at', '<', now() - timeoutMs)
      .execute();
    let moved = 0;
    for (const job of stale) {
      if (job.token_hash === null) continue;
      if (job.pickups >= MAX_UNCONFIRMED_PICKUPS) {
        await this.lifecycle.finish(job, { state: 'failed', reason: 'runner_system_failure' });
        moved++;
      } else if (await this.requeue(job.id, job.token_hash)) moved++;
    }
    if (moved > 0) this.onQueued();
    return moved;
  }
}
