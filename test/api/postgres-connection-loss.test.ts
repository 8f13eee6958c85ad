import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../support/database.ts';

/**
 * A PostgreSQL restart during the replica soak (test/soak/replicas-faults.ts) ended both
 * replicas: a connection checked out of the pool between two statements got the server's
 * "terminating connection due to administrator command", and its client's 'error' event had no
 * listener. A lost connection must fail only the work on it; the server keeps running and
 * answers with a fresh connection. (SQLite has no server to lose: the same steps run there.)
 */
let testDb: TestDatabase;
let database: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = openDatabase(testDb.config);
});

afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

async function terminateBackend(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: testDb.url });
  await admin.connect();
  await admin.query('select pg_terminate_backend($1)', [pid]);
  await admin.end();
}

describe('a database connection lost while it is held', () => {
  it('fails the work on that connection and keeps the process and the pool serving', async () => {
    const held = database.db.connection().execute(async (connection) => {
      if (TEST_DIALECT === 'postgres') {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
        await terminateBackend(rows[0]!.pid);
        // The server's goodbye arrives while no statement runs on this connection.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      return sql<{ one: number }>`select 1 as one`.execute(connection);
    });
    if (TEST_DIALECT === 'postgres') await expect(held).rejects.toThrow();
    else await expect(held).resolves.toBeDefined();

    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
