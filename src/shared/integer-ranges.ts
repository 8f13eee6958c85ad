/**
 * The integers the database columns hold. A number outside a column's range never names a row,
 * but PostgreSQL does not answer "no row" for it: it refuses the whole query ("out of range for
 * type integer"), so such numbers are stopped before they reach a query.
 */

/** PostgreSQL `integer` (SQLite stores it in the same 64-bit slot): version numbers, exit codes. */
export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;

/** Ids are `bigint` columns read as JavaScript numbers, which are exact up to 2^53 − 1. */
export const ID_MAX = Number.MAX_SAFE_INTEGER;

/** The id a path segment of digits names (`/projects/12`), or undefined when no row can have it. */
export function idFromDigits(text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const id = Number(text);
  return id >= 1 && id <= ID_MAX ? id : undefined;
}
