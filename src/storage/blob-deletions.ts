import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema.ts';
import { WorkLeases } from '../events/work-leases.ts';
import { now } from '../shared/clock.ts';
import { Periodic } from '../shared/periodic.ts';
import type { BlobStore } from './blob-store.ts';

/**
 * How long a replaced or deleted blob stays in the store: a reader that looked its row up just
 * before it went (a download starting, an archive being assembled) still gets its bytes.
 */
export const BLOB_DELETION_DELAY_MS = 5 * 60_000;
const SWEEP_INTERVAL_MS = 60_000;
const SWEEP_BATCH = 200;
const SWEEP_LEASE = 'blob-deletions';
/**
 * Work leases named with this prefix are held by backups in progress (src/backup/deletion-hold.ts):
 * while one is live nothing is deleted, so every blob the backup's database snapshot refers to
 * is still there when the backup copies it.
 */
export const BACKUP_HOLD_PREFIX = 'blob-deletions-held-by-backup:';

/**
 * Queues blobs for deletion. Call it in the transaction that removes (or replaces) the rows
 * referring to them: the blob then goes only once that change is committed, and is not forgotten
 * if the process dies before deleting it. `wholePrefix`: each key is a folder, deleted with
 * everything under it.
 */
export async function deleteBlobsLater(db: Kysely<Schema>, keys: readonly string[], options: { wholePrefix?: boolean } = {}): Promise<void> {
  if (keys.length === 0) return;
  const requestedAt = now();
  const wholePrefix = options.wholePrefix ? 1 : 0;
  for (let i = 0; i < keys.length; i += 500) {
    const values = keys.slice(i, i + 500).map((key) => ({ store_key: key, whole_prefix: wholePrefix, requested_at: requestedAt }));
    await db.insertInto('blob_deletions').values(values).execute();
  }
}

/** Deletes queued blobs once they are due, never while a backup holds deletions. */
export class BlobDeletions {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly store: BlobStore,
    private readonly delayMs = BLOB_DELETION_DELAY_MS,
  ) {}

  /**
   * One batch; returns how many blobs it deleted. The due rows and the absence of a backup's hold
   * are read in one statement: a backup takes its hold before its snapshot, so a row this
   * statement sees without the hold was committed before that snapshot, and the snapshot does not
   * refer to the blob. Deleting a blob twice (two replicas, a retry) is harmless.
   */
  async sweep(at = now()): Promise<number> {
    const due = await this.db
      .selectFrom('blob_deletions')
      .select(['id', 'store_key', 'whole_prefix'])
      .where('requested_at', '<=', at - this.delayMs)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('work_leases').select('name').where('name', 'like', `${BACKUP_HOLD_PREFIX}%`).where('expires_at', '>', at))))
      .orderBy('id')
      .limit(SWEEP_BATCH)
      .execute();
    for (const row of due) {
      if (row.whole_prefix) await this.store.deletePrefix(row.store_key);
      else await this.store.delete(row.store_key);
      await this.db.deleteFrom('blob_deletions').where('id', '=', row.id).execute();
    }
    return due.length;
  }

  /** Sweeps until nothing is due; returns how many blobs went. */
  async sweepAll(at = now()): Promise<number> {
    let deleted = 0;
    for (let batch = await this.sweep(at); batch > 0; batch = await this.sweep(at)) deleted += batch;
    return deleted;
  }

  /** Sweeps every minute in one replica at a time (the others find the lease taken). */
  startSweeping(logger: Logger, intervalMs = SWEEP_INTERVAL_MS): Periodic {
    const leases = new WorkLeases(this.db);
    const periodic = new Periodic(
      async () => {
        if (!(await leases.take(SWEEP_LEASE, 2 * intervalMs))) return;
        const deleted = await this.sweepAll();
        if (deleted > 0) logger.info({ deleted }, 'deleted blobs whose rows are gone');
      },
      (error) => logger.warn({ err: error }, 'deleting queued blobs failed; trying again at the next round'),
    );
    periodic.start(intervalMs);
    return periodic;
  }
}
