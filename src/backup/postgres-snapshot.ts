import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import type { Schema } from '../db/schema.ts';
import { findProgram } from './find-program.ts';
import { postgresClientArgs } from './postgres-connection.ts';
import { runProgram } from './run-program.ts';
import { readSnapshotContents } from './snapshot-contents.ts';
import type { DatabaseSnapshot } from './sqlite-snapshot.ts';

/** A Kysely pool that always hands out the one connection holding the exported snapshot. */
function poolOf(client: pg.Client): PostgresPool {
  const connection = Object.assign(client, { release: () => undefined });
  return { connect: async () => connection, end: async () => undefined };
}

/**
 * pg_dump (custom format) of the snapshot a transaction of ours exports, which we read in the
 * same transaction for what it refers to: the dump and the list of blobs to copy are the same
 * moment of the database.
 */
export async function snapshotPostgres(url: string, target: string): Promise<DatabaseSnapshot> {
  const pgDump = findProgram('pg_dump');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin transaction isolation level repeatable read, read only');
    const startedAt = new Date();
    const exported = await client.query<{ id: string }>('select pg_export_snapshot() as id');
    const { dbname, env } = postgresClientArgs(url);
    await runProgram(pgDump, ['--format=custom', `--snapshot=${exported.rows[0]!.id}`, `--file=${target}`, `--dbname=${dbname}`], env);
    const finishedAt = new Date();
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: poolOf(client) }) });
    const contents = await readSnapshotContents(db);
    await client.query('commit');
    return { startedAt, finishedAt, contents };
  } finally {
    await client.end();
  }
}
