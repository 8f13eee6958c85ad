import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { DatabaseConfig } from '../config/config.ts';
import type { Schema } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Schema>;
  dialect: Dialect;
  close(): Promise<void>;
}

// pg returns int8 and numeric as strings to protect precision; our int8 columns hold ids
// and epoch milliseconds, which fit a double exactly, so one number type serves both dialects.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.FLOAT8, (value) => Number(value));

export function openDatabase(config: DatabaseConfig): Database {
  if (config.dialect === 'sqlite') return openSqlite(config.file);
  return openPostgres(config.url);
}

function openSqlite(file: string): Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const connection = new SQLite(file);
  // WAL lets readers proceed during a write; the busy timeout turns a lock collision with
  // another process (the CLI next to a running server) into a short wait instead of an error.
  connection.pragma('journal_mode = WAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('synchronous = NORMAL');
  // Metric ingest commits hundreds of small transactions a second, rewriting the same hot B-tree
  // pages. Checkpointing the log every 40 MiB instead of every 4 MiB copies such a page into the
  // database file once per checkpoint instead of ten times (commit time fell by a third in the
  // ingest benchmark); the log is cut back to 64 MiB after each checkpoint so it does not keep
  // its peak size on disk. A 64 MiB page cache keeps many runs' insertion points in memory.
  connection.pragma('wal_autocheckpoint = 10000');
  connection.pragma('journal_size_limit = 67108864');
  connection.pragma('cache_size = -65536');
  connection.pragma('foreign_keys = ON');
  // MLflow's LIKE is case-sensitive; SQLite's is not unless told so. ILIKE is written with lower().
  connection.pragma('case_sensitive_like = ON');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  return {
    db,
    dialect: 'sqlite',
    async close() {
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements can be reused, and preparing the
 * same 1000-row insert for every metric batch was a tenth of ingest time. Statements are kept
 * per SQL text (least recently used go first). One connection runs one statement at a time, so
 * sharing them is safe.
 *
 * Also: Kysely opens SQLite transactions with a plain (deferred) `begin`, which starts as a
 * reader. When another process (`modelyard backup` taking its deletion hold, any CLI command)
 * commits between a transaction's first read and its first write, SQLite refuses the write at
 * once (SQLITE_BUSY_SNAPSHOT; the busy timeout does not apply), and the request fails with 500.
 * `begin immediate` takes the write lock first, waiting under the busy timeout. Within the
 * server nothing changes: its one connection runs one transaction at a time anyway.
 */
function withStatementCache(connection: SQLite.Database, size = 256): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = connection.prepare.bind(connection);
  connection.prepare = ((text: string) => {
    const source = text === 'begin' ? 'begin immediate' : text;
    const cached = cache.get(source);
    if (cached) {
      cache.delete(source);
      cache.set(source, cached);
      return cached;
    }
    const statement = prepare(source);
    cache.set(source, statement);
    if (cache.size > size) cache.delete(cache.keys().next().value as string);
    return statement;
  }) as SQLite.Database['prepare'];
  return connection;
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 30_000 });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // pg-pool listens for a client's errors only while it is idle in the pool. A connection lost
  // while it is checked out between two statements (a transaction waiting on S3, an advisory
  // lock held; then a PostgreSQL restart or failover, or pg_terminate_backend) emits 'error' on
  // its client with no listener, which would end the process: every replica at once. With this
  // listener the request on that connection fails, and the pool drops the client when released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    async close() {
      await db.destroy();
    },
  };
}
