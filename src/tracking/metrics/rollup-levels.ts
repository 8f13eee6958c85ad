/**
 * Rollup levels: level k groups steps into buckets of 4^k. Level 2 (16 steps) is the finest
 * kept; below it the raw points are read. Level 10 (about a million steps) is the coarsest.
 */
export const ROLLUP_LEVELS = [2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

export function bucketWidth(level: number): number {
  return 4 ** level;
}

export function bucketOf(step: number, level: number): number {
  return Math.floor(step / bucketWidth(level));
}
