import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config/config.ts';

/** Which engine this run of the suite uses: MODELYARD_TEST_DB=sqlite (default) or postgres. */
export const TEST_DIALECT: 'sqlite' | 'postgres' = process.env.MODELYARD_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  config: DatabaseConfig;
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.MODELYARD_TEST_PG_URL;
  if (!url) throw new Error('MODELYARD_TEST_DB=postgres needs MODELYARD_TEST_PG_URL (scripts/postgres.sh start prints it)');
  return url;
}

/** A fresh, empty database for one test file: a temporary SQLite file or a new PostgreSQL database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DIALECT === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-test-'));
    const file = path.join(dir, 'test.db');
    return {
      config: { dialect: 'sqlite', file },
      url: `sqlite:${file}`,
      async drop() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `modelyard_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    config: { dialect: 'postgres', url: url.toString() },
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
