import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Readiness } from './contract.ts';

/** Whether the server can serve requests: the database answers a trivial query. */
export async function checkReadiness(database: Database, onFailure: (error: unknown) => void): Promise<Readiness> {
  try {
    await sql`select 1`.execute(database.db);
    return { status: 'ok', checks: { database: 'ok' } };
  } catch (error) {
    onFailure(error);
    return { status: 'failed', checks: { database: 'failed' } };
  }
}
