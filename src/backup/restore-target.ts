import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import { BackupErrors } from './errors.ts';

function isEmptyOrMissing(dir: string): boolean {
  return !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;
}

async function postgresTableCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>("select count(*) as n from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')");
    return Number(result.rows[0]!.n);
  } finally {
    await client.end();
  }
}

/**
 * Restore writes only where nothing is: an empty (or missing) data folder, no database file,
 * an empty blob folder and a database without tables. Checked before anything is written.
 */
export async function assertRestoreTargetEmpty(config: Config): Promise<void> {
  const refuse = (what: string) => BackupErrors.RESTORE_TARGET_NOT_EMPTY({ what });
  if (!isEmptyOrMissing(config.dataDir)) throw refuse(`the data folder ${config.dataDir}`);
  if (config.database.dialect === 'sqlite') {
    if (fs.existsSync(config.database.file)) throw refuse(`the database file ${config.database.file}`);
  } else if ((await postgresTableCount(config.database.url)) > 0) {
    throw refuse(`the database ${new URL(config.database.url).pathname.slice(1)}`);
  }
  if (config.artifactsUrl.startsWith('file://')) {
    const root = fileURLToPath(config.artifactsUrl);
    if (!isEmptyOrMissing(root)) throw refuse(`the artifact folder ${path.resolve(root)}`);
  }
}
