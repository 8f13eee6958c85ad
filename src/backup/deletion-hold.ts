import type { DatabaseConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { WorkLeases } from '../events/work-leases.ts';
import { BACKUP_HOLD_PREFIX } from '../storage/blob-deletions.ts';

/** Long enough to outlive a stalled renewal, short enough that a killed backup stops holding soon. */
const HOLD_MS = 5 * 60_000;
const RENEW_MS = 30_000;

export interface DeletionHold {
  release(): Promise<void>;
}

/**
 * Stops every replica from deleting blobs until released (or, if this process dies, until the
 * hold expires): a blob whose row is deleted or replaced after the backup's database snapshot
 * stays in the store until the backup has copied it. Taken and committed before the snapshot
 * (src/storage/blob-deletions.ts says why that is enough), renewed while the copy runs.
 */
export async function holdBlobDeletions(config: DatabaseConfig): Promise<DeletionHold> {
  const database = openDatabase(config);
  const leases = new WorkLeases(database.db);
  const name = `${BACKUP_HOLD_PREFIX}${leases.holder}`;
  try {
    await leases.take(name, HOLD_MS);
  } catch (error) {
    await database.close();
    throw error;
  }
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // A failed renewal is not fatal here: the hold lasts HOLD_MS, and the next renewal retries.
    renewing = renewing.then(() => leases.take(name, HOLD_MS)).catch(() => undefined);
  }, RENEW_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await renewing;
      try {
        await leases.release(name);
      } finally {
        await database.close();
      }
    },
  };
}
