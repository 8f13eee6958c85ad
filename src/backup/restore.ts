import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import { listMigrations } from '../db/migrate.ts';
import { KEY_FILE_NAME } from '../secrets/keyring-file.ts';
import { openBlobStore } from '../storage/open-store.ts';
import { BackupErrors } from './errors.ts';
import { findProgram } from './find-program.ts';
import { BLOBS_DIR, readVerifiedManifest, type BackupManifest } from './manifest.ts';
import { postgresClientArgs } from './postgres-connection.ts';
import { assertRestoreTargetEmpty } from './restore-target.ts';
import { runProgram } from './run-program.ts';
import { writePrivateFile } from './secret-key-copy.ts';

/** Every check that can refuse, before the first write. */
async function assertRestorable(config: Config, manifest: BackupManifest): Promise<void> {
  if (manifest.database.kind !== config.database.dialect) throw BackupErrors.RESTORE_DIALECT_MISMATCH({ backup: manifest.database.kind, configured: config.database.dialect });
  const known = new Set(listMigrations());
  const unknown = manifest.migrations.find((name) => !known.has(name));
  if (unknown !== undefined) throw BackupErrors.RESTORE_NEWER_SCHEMA({ migration: unknown });
  if (!manifest.secret_key.included && config.secretKeys === undefined) throw BackupErrors.RESTORE_KEY_MISSING();
  if (config.database.dialect === 'postgres') findProgram('pg_restore');
  await assertRestoreTargetEmpty(config);
}

/** The snapshot goes to a temporary name first, so a failed copy leaves no database file behind. */
function restoreSqlite(snapshot: string, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.restoring`;
  fs.copyFileSync(snapshot, temp, fs.constants.COPYFILE_EXCL);
  fs.renameSync(temp, file);
}

async function restorePostgres(dump: string, url: string): Promise<void> {
  const { dbname, env } = postgresClientArgs(url);
  await runProgram(findProgram('pg_restore'), ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', `--dbname=${dbname}`, dump], env);
}

/** Blobs go back through the configured store, so a backup of a folder can be restored into a bucket too. */
async function restoreBlobs(config: Config, from: string, manifest: BackupManifest): Promise<number> {
  const store = openBlobStore(config.artifactsUrl);
  const prefix = `${BLOBS_DIR}/`;
  let restored = 0;
  for (const file of manifest.files) {
    if (!file.path.startsWith(prefix)) continue;
    await store.put(file.path.slice(prefix.length), fs.createReadStream(path.join(from, file.path)), { maxBytes: Number.MAX_SAFE_INTEGER, contentLength: file.size });
    restored++;
  }
  return restored;
}

export interface RestoreResult {
  manifest: BackupManifest;
  blobs: number;
  keyRestored: boolean;
}

/** Brings a backup back into an empty data folder and database; refuses, changing nothing, otherwise. */
export async function restoreBackup(config: Config, dir: string): Promise<RestoreResult> {
  const from = path.resolve(dir);
  const manifest = await readVerifiedManifest(from);
  await assertRestorable(config, manifest);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const snapshot = path.join(from, manifest.database.file);
  if (config.database.dialect === 'sqlite') restoreSqlite(snapshot, config.database.file);
  else await restorePostgres(snapshot, config.database.url);
  const blobs = await restoreBlobs(config, from, manifest);
  if (manifest.secret_key.included) writePrivateFile(path.join(config.dataDir, KEY_FILE_NAME), fs.readFileSync(path.join(from, manifest.secret_key.file)));
  return { manifest, blobs, keyRestored: manifest.secret_key.included };
}
