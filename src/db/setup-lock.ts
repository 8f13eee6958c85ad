import { sql } from 'kysely';
import type { Database } from './database.ts';

/** An arbitrary constant that names Modelyard's first-start lock among PostgreSQL's advisory locks. */
const SETUP_LOCK_KEY = 0x6d_6f_64_79; // "mody"

/**
 * Runs `work` while holding an instance-wide lock, so that replicas starting together on one
 * PostgreSQL database take turns through the first-start steps (the administrator, its token,
 * the default project) and each finds what the one before it made. A session-level advisory
 * lock on one pooled connection: `work` uses other connections, and the lock goes with that
 * connection if the process dies. SQLite has no replicas (one process owns a data directory);
 * there the steps' own conflict handling is enough.
 */
export async function withSetupLock<T>(database: Database, work: () => Promise<T>): Promise<T> {
  if (database.dialect !== 'postgres') return work();
  return database.db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${SETUP_LOCK_KEY})`.execute(connection);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(${SETUP_LOCK_KEY})`.execute(connection);
    }
  });
}
