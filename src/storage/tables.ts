import type { Generated } from 'kysely';

/**
 * Blobs whose rows are gone, waiting to be deleted from the store (src/storage/blob-deletions.ts).
 * Queued in the transaction that removes the row, so a blob is neither deleted while a committed
 * row still refers to it nor forgotten when the process dies before deleting it.
 */
export interface BlobDeletionsTable {
  id: Generated<number>;
  store_key: string;
  /** 1: every blob whose key starts with `store_key` (a deleted project's folder). */
  whole_prefix: number;
  requested_at: number;
}

export interface StorageTables {
  blob_deletions: BlobDeletionsTable;
}
