import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { ADMIN_TOKEN, startTestApp } from '../support/app.ts';
import { createTestDatabase, TEST_DIALECT } from '../support/database.ts';

// A server on the same machine as its database may connect through PostgreSQL's Unix socket.
// libpq's URL for it names a user and no host, which is no WHATWG URL: the configuration refused
// it although the driver reads it.
describe.runIf(TEST_DIALECT === 'postgres')('PostgreSQL through a Unix socket', () => {
  it("serves on a database named by libpq's socket URL, postgres://user@/db?host=<folder>", async () => {
    const admin = new pg.Client({ connectionString: process.env.MODELYARD_TEST_PG_URL });
    await admin.connect();
    const { rows } = await admin.query<{ folder: string; port: string }>("select split_part(current_setting('unix_socket_directories'), ',', 1) as folder, current_setting('port') as port");
    await admin.end();
    const { folder, port } = rows[0]!;
    const database = await createTestDatabase();
    const name = new URL(database.url).pathname.slice(1);
    const socketUrl = `postgres://postgres@/${name}?host=${encodeURIComponent(folder)}&port=${port}`;
    expect(loadConfig({ MODELYARD_DATABASE_URL: socketUrl }).database).toEqual({ dialect: 'postgres', url: socketUrl });

    const t = await startTestApp(
      {},
      { database: { ...database, url: socketUrl, config: { dialect: 'postgres', url: socketUrl } }, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-data-')) },
    );
    try {
      const created = await t.call({ method: 'POST', url: '/api/2.0/mlflow/experiments/create', token: ADMIN_TOKEN, payload: { name: 'over-a-socket' } });
      expect(created.statusCode, created.body).toBe(200);
      // A connection over a Unix socket has no client address.
      const peer = await sql<{ address: string | null }>`select inet_client_addr()::text as address`.execute(t.services.database.db);
      expect(peer.rows[0]!.address).toBeNull();
    } finally {
      await t.close();
    }
  });
});
