import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';
import { Periodic } from '../shared/periodic.ts';
import type { ImportJobRow } from './import-jobs-service.ts';
import type { ImportRunner } from './import-runner.ts';
import { JobLease } from './job-lease.ts';

export interface ImportWorkerOptions {
  /** How long a replica's hold on a job lasts without renewal: a replica that died is replaced after it. */
  leaseMs: number;
  /** How often the worker looks for queued jobs (and jobs whose replica died). */
  intervalMs: number;
}

/**
 * The server's background importer, one per replica, like the CI and serving workers: it claims
 * one job at a time with a lease (so replicas share the queue, and a job whose replica died is
 * taken over once its lease runs out) and runs it. Stopping waits for the job in hand to reach a
 * stored part and leaves it to be resumed by the next start.
 */
export class ImportWorker {
  private readonly periodic: Periodic;
  private readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private started = false;
  private stopping = false;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly runner: ImportRunner,
    private readonly options: ImportWorkerOptions,
    logger: Logger,
  ) {
    this.periodic = new Periodic(
      () => this.runPending(),
      (error) => logger.error({ err: error }, 'import worker round failed'),
    );
  }

  start(): void {
    this.started = true;
    this.periodic.start(this.options.intervalMs);
    void this.periodic.tick();
  }

  /** A job was queued: a started worker looks now. */
  wake(): void {
    if (this.started && !this.stopping) void this.periodic.tick();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.periodic.stop();
  }

  /** Runs queued jobs (and jobs whose lease ran out) until none is left. */
  async runPending(): Promise<void> {
    while (!this.stopping) {
      const job = await this.claim();
      if (!job) return;
      const lease = new JobLease(this.db, job.id, this.owner, this.options.leaseMs);
      lease.start();
      try {
        await this.runner.run(job, lease, () => this.stopping);
      } finally {
        lease.stop();
      }
    }
  }

  private async claim(): Promise<ImportJobRow | null> {
    const at = now();
    const candidates = await this.db
      .selectFrom('import_jobs')
      .select('id')
      .where('state', 'in', ['queued', 'running'])
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
      .orderBy('id')
      .limit(5)
      .execute();
    for (const { id } of candidates) {
      // Claimed only if still free: another replica may have taken it since the select.
      const claimed = await this.db
        .updateTable('import_jobs')
        .set((eb) => ({
          state: 'running',
          lease_owner: this.owner,
          lease_until: at + this.options.leaseMs,
          run_started_at: at,
          run_bytes_start: eb.ref('bytes_done'),
          started_at: eb.fn.coalesce('started_at', eb.val(at)),
          updated_at: at,
        }))
        .where('id', '=', id)
        .where('state', 'in', ['queued', 'running'])
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
        .returningAll()
        .executeTakeFirst();
      if (claimed) return claimed;
    }
    return null;
  }
}
