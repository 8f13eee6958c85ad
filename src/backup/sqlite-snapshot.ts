import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { readSnapshotContents, type SnapshotContents } from './snapshot-contents.ts';

export interface DatabaseSnapshot {
  startedAt: Date;
  finishedAt: Date;
  contents: SnapshotContents;
}

/**
 * More pages per step than any database has: the copy is then made in one step, inside one read
 * transaction, so writes by the running server cannot make SQLite restart it again and again.
 */
const ALL_PAGES = 1_000_000_000;

/**
 * SQLite's online backup API (never a file copy: a live database's file and its write-ahead log
 * change under a copier). The snapshot is then switched out of WAL mode so it is one
 * self-contained file, and read for what it refers to.
 */
export async function snapshotSqlite(liveFile: string, target: string): Promise<DatabaseSnapshot> {
  const source = new SQLite(liveFile, { fileMustExist: true });
  source.pragma('busy_timeout = 5000');
  const startedAt = new Date();
  try {
    await source.backup(target, { progress: () => ALL_PAGES });
  } finally {
    source.close();
  }
  const finishedAt = new Date();
  const copy = new SQLite(target, { fileMustExist: true });
  copy.pragma('journal_mode = DELETE');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: copy }) });
  try {
    return { startedAt, finishedAt, contents: await readSnapshotContents(db) };
  } finally {
    await db.destroy();
  }
}
