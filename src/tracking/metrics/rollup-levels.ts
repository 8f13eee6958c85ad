/**
 * Rollup levels: level k groups steps into buckets of 4^k, from 16 steps (level 2) to about a
 * million (level 10). A read picks the coarsest level that still has half as many buckets as it
 * asks for, so it reads at most about as many rollup rows as it returns points. A range too
 * short for level 2 (under about four times the points asked for) is reduced by the database
 * over the raw points instead.
 *
 * Level 1 (buckets of 4) was dropped (migration 0023): it was 250 of the 410 rollup rows
 * written per 1000-point batch, a quarter of the raw rows in storage, and about a sixth of
 * PostgreSQL's CPU under ingest (issue 23), to spare reads of at most four times the points
 * they return.
 */
/** Consecutive, so that each level's buckets are exactly four of the level below (the writer relies on it). */
export const ROLLUP_LEVELS = [2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

export function bucketWidth(level: number): number {
  return 4 ** level;
}
