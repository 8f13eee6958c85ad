import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openKeyring } from '../../src/secrets/keyring.ts';
import { prepareInstance, type Console, type FirstStartResult } from '../../src/server/bootstrap.ts';
import { createServices } from '../../src/server/services.ts';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../support/database.ts';

/**
 * Replicas started together on one new database: every first-start step (migrations, the
 * administrator, its first token, the default project) happens once and no replica fails.
 * On PostgreSQL each replica has a connection pool of its own, as separate processes do; on
 * SQLite (one process per data directory in practice) two start-ups share one connection,
 * which still interleaves every await of the two.
 */
const REPLICAS = 3;
const ROUNDS = 4;
const silent = pino({ level: 'silent' });

describe('replicas starting together on a new database', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function startReplicas(
    database: TestDatabase,
    console: Console = { print: () => undefined, interactive: false },
  ): Promise<{ results: FirstStartResult[]; handles: Database[]; dataDir: string }> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-replicas-'));
    cleanup.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      MODELYARD_DATA_DIR: dataDir,
      MODELYARD_DATABASE_URL: database.url,
      MODELYARD_INITIAL_ADMIN_TOKEN: 'replica-admin-token-0123456789abcdef',
      MODELYARD_LOG_LEVEL: 'silent',
    });
    const keyring = openKeyring(config);
    const shared = TEST_DIALECT === 'sqlite' ? openDatabase(config.database) : null;
    const handles = Array.from({ length: REPLICAS }, () => shared ?? openDatabase(config.database));
    cleanup.push(async () => {
      for (const handle of new Set(handles)) await handle.close();
    });
    const results = await Promise.all(
      handles.map(async (handle) => {
        await migrateToLatest(handle, keyring.box);
        return prepareInstance(createServices(config, handle, keyring), silent, console);
      }),
    );
    return { results, handles, dataDir };
  }

  it('creates the administrator, its token and the default project exactly once, and every replica starts', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const database = await createTestDatabase();
      cleanup.push(() => database.drop());
      const { results, handles } = await startReplicas(database);
      expect(results.filter((r) => r.createdAdmin)).toHaveLength(1);
      expect(results.filter((r) => r.initialPassword !== null)).toHaveLength(1);
      const db = handles[0]!.db;
      expect(await db.selectFrom('users').select('username').execute()).toEqual([{ username: 'root' }]);
      expect(await db.selectFrom('tokens').select('name').execute()).toEqual([{ name: 'initial-admin-token' }]);
      expect((await db.selectFrom('projects').select('path').execute()).map((p) => p.path)).toEqual(['default']);
    }
  });

  it('shows the password on a terminal; in a log only the file that holds it', async () => {
    for (const interactive of [true, false]) {
      const database = await createTestDatabase();
      cleanup.push(() => database.drop());
      const printed: string[] = [];
      const { results, dataDir } = await startReplicas(database, { print: (line) => printed.push(line), interactive });
      const password = results.find((r) => r.initialPassword !== null)!.initialPassword!;
      const file = path.join(dataDir, 'initial_root_password');
      expect(fs.readFileSync(file, 'utf8')).toContain(`Password: ${password}\n`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(printed.join('\n').includes(password)).toBe(interactive);
      if (!interactive) expect(printed[0]).toBe(`Created the administrator "root". Its password is in ${file} (readable by the server's user only; removed at a start after 24 hours).`);
    }
  });

  it('starts again on a database that is already set up, changing nothing', async () => {
    const database = await createTestDatabase();
    cleanup.push(() => database.drop());
    await startReplicas(database);
    const { results, handles } = await startReplicas(database);
    expect(results.every((r) => !r.createdAdmin)).toBe(true);
    const db = handles[0]!.db;
    expect(await db.selectFrom('users').select('username').execute()).toHaveLength(1);
    expect(await db.selectFrom('projects').select('path').execute()).toHaveLength(1);
  });
});
