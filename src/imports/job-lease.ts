import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';

/** The job was canceled, or another replica took it over: this one stops without touching it further. */
export class JobLost extends Error {
  override readonly name = 'JobLost';
}

/**
 * A replica's hold on a running job. It is renewed on a timer while the job runs (a slow file
 * may take longer than the lease between two progress writes) and with every progress write,
 * which also sums the job's progress from its files' rows. A write that finds the job no longer
 * running under this holder (canceled, or taken over after this replica stalled) throws JobLost.
 */
export class JobLease {
  private timer: NodeJS.Timeout | null = null;
  private lost = false;

  constructor(
    private readonly db: Kysely<Schema>,
    readonly jobId: number,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(
      () => {
        this.renew().catch(() => undefined);
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Whether a renewal found the job gone from this holder. */
  get isLost(): boolean {
    return this.lost;
  }

  private held() {
    return this.db.updateTable('import_jobs').where('id', '=', this.jobId).where('state', '=', 'running').where('lease_owner', '=', this.owner);
  }

  async renew(): Promise<void> {
    const result = await this.held()
      .set({ lease_until: now() + this.leaseMs })
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) this.lost = true;
    if (this.lost) throw new JobLost(`import job ${this.jobId} is no longer held`);
  }

  /** Records the job's progress as its files' rows say, renewing the lease. */
  async progress(): Promise<void> {
    const files = this.db.selectFrom('import_job_files').where('import_job_files.job_id', '=', this.jobId);
    const result = await this.held()
      .set(() => ({
        bytes_done: files.select((sub) => sub.fn.coalesce(sub.fn.sum<number>('import_job_files.bytes_done'), sub.lit(0)).as('bytes')),
        files_done: files.where('import_job_files.done', '=', 1).select((sub) => sub.fn.countAll<number>().as('count')),
        lease_until: now() + this.leaseMs,
        updated_at: now(),
      }))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      this.lost = true;
      throw new JobLost(`import job ${this.jobId} is no longer held`);
    }
  }

  /**
   * Records the version the job made, in the version's own transaction: a job canceled (or taken
   * over) before it throws JobLost, and the version is not made; once recorded, a cancel is refused
   * and a replica that takes the job over finds the version instead of making another.
   */
  async recordVersion(trx: Kysely<Schema>, versionId: number): Promise<void> {
    const result = await trx
      .updateTable('import_jobs')
      .where('id', '=', this.jobId)
      .where('state', '=', 'running')
      .where('lease_owner', '=', this.owner)
      .where('version_id', 'is', null)
      .set({ version_id: versionId, lease_until: now() + this.leaseMs, updated_at: now() })
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      this.lost = true;
      throw new JobLost(`import job ${this.jobId} is no longer held`);
    }
  }

  /** Lets another replica (or this server's next start) take the job at once: this one is stopping. */
  async release(): Promise<void> {
    this.stop();
    await this.held().set({ lease_until: 0, lease_owner: null }).execute();
  }
}
