import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';

/** A blob store object the database refers to, with the checksum the database recorded. */
export interface ReferencedBlob {
  key: string;
  size: number;
  sha256: string;
}

export interface SnapshotContents {
  migrations: string[];
  counts: Record<string, number>;
  blobs: ReferencedBlob[];
}

/** The tables whose row counts the manifest gives: enough to compare a restore at a glance. */
const COUNTED_TABLES = [
  'users',
  'projects',
  'experiments',
  'runs',
  'metrics',
  'artifacts',
  'registered_models',
  'model_versions',
  'packages',
  'package_files',
  'ci_pipelines',
  'ci_jobs',
  'ci_job_artifacts',
  'ci_job_artifact_legacy_files',
  'events',
] as const satisfies readonly (keyof Schema)[];

/**
 * What one database snapshot holds, read from that snapshot itself: the blob store objects it
 * refers to are the ones the backup copies, so a file written after the snapshot is left out
 * with the row that would have referred to it.
 */
export async function readSnapshotContents(db: Kysely<Schema>): Promise<SnapshotContents> {
  const migrations = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(db);
  const counts: Record<string, number> = {};
  for (const table of COUNTED_TABLES) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const blobs: ReferencedBlob[] = [];
  for (const table of ['artifacts', 'package_files', 'ci_job_artifacts', 'ci_job_artifact_legacy_files'] as const) {
    const rows = await db.selectFrom(table).select(['store_key as key', 'size', 'sha256']).execute();
    blobs.push(...rows.map((r) => ({ key: r.key, size: Number(r.size), sha256: r.sha256 })));
  }
  return { migrations: migrations.rows.map((r) => r.name), counts, blobs };
}
