/**
 * Rollup levels: level k groups steps into buckets of 4^k, from 4 steps (level 1) to about a
 * million (level 10). A read picks the coarsest level that still has half as many buckets as it
 * asks for, so it reads at most about as many rollup rows as it returns points. The finest
 * level costs a quarter of the raw rows in storage; it is what lets a series of a thousand
 * points be drawn in 320 without reading the thousand points.
 */
/** Consecutive, so that each level's buckets are exactly four of the level below (the writer relies on it). */
export const ROLLUP_LEVELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

export function bucketWidth(level: number): number {
  return 4 ** level;
}
