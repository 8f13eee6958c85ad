/**
 * Whether a database refused a write because a unique key already holds the value: two
 * requests (or two replicas) that both checked "not there yet" and both inserted. PostgreSQL
 * says so with SQLSTATE 23505, better-sqlite3 with its extended result codes. Read by code, not
 * by message, so that neither driver's wording or locale matters.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
