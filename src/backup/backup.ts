import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.ts';
import { VERSION } from '../shared/version.ts';
import { copyReferencedBlobs } from './copy-blobs.ts';
import { holdBlobDeletions } from './deletion-hold.ts';
import { BackupErrors } from './errors.ts';
import { describeFile, KEY_FILE_COPY, POSTGRES_DUMP_FILE, SQLITE_SNAPSHOT_FILE, writeManifest, type BackupManifest, type ManifestFile } from './manifest.ts';
import { snapshotPostgres } from './postgres-snapshot.ts';
import { copyKeyFile, KEY_FROM_ENVIRONMENT_NOTE } from './secret-key-copy.ts';
import { snapshotSqlite } from './sqlite-snapshot.ts';

function prepareEmptyFolder(dir: string): void {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw BackupErrors.BACKUP_TARGET_NOT_EMPTY({ dir });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** A failed backup leaves the folder empty again rather than half a backup that could be mistaken for one. */
function emptyFolder(dir: string): void {
  for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

export function s3Note(url: string, snapshotAt: Date): string {
  return `The blob store is the bucket ${url}; its objects are NOT in this backup. Keep the bucket versioned (or snapshot it by its own means) and, to restore, bring it back to its state at ${snapshotAt.toISOString()} (the database snapshot) or later: objects the database refers to are never changed in place (a new upload gets a new key), and blobs whose rows are deleted stay for minutes after.`;
}

export interface BackupSteps {
  /** Runs between the database snapshot and the copy of the blobs (tests change the data there). */
  afterSnapshot?: () => Promise<void>;
}

/**
 * A consistent backup of a running server: the database snapshot first, then the blob store
 * files that snapshot refers to, the key file, and a manifest with every file's checksum.
 */
export async function makeBackup(config: Config, dir: string, steps: BackupSteps = {}): Promise<BackupManifest> {
  const target = path.resolve(dir);
  prepareEmptyFolder(target);
  try {
    return await writeBackup(config, target, steps);
  } catch (error) {
    emptyFolder(target);
    throw error;
  }
}

async function writeBackup(config: Config, target: string, steps: BackupSteps): Promise<BackupManifest> {
  if (config.database.dialect === 'sqlite' && !fs.existsSync(config.database.file)) throw BackupErrors.BACKUP_NO_DATABASE({ file: config.database.file });
  // Blobs of a folder store are copied after the snapshot: no replica deletes one until they are.
  const hold = config.artifactsUrl.startsWith('s3://') ? null : await holdBlobDeletions(config.database);
  try {
    return await writeHeldBackup(config, target, steps);
  } finally {
    await hold?.release();
  }
}

async function writeHeldBackup(config: Config, target: string, steps: BackupSteps): Promise<BackupManifest> {
  const dbFile = config.database.dialect === 'sqlite' ? SQLITE_SNAPSHOT_FILE : POSTGRES_DUMP_FILE;
  const snapshot =
    config.database.dialect === 'sqlite' ? await snapshotSqlite(config.database.file, path.join(target, dbFile)) : await snapshotPostgres(config.database.url, path.join(target, dbFile));
  // The snapshot holds password hashes and sealed credentials: for the owner only, like the live database should be.
  fs.chmodSync(path.join(target, dbFile), 0o600);
  const files: ManifestFile[] = [await describeFile(target, dbFile)];
  await steps.afterSnapshot?.();

  let blobs: BackupManifest['blobs'];
  if (config.artifactsUrl.startsWith('s3://')) {
    blobs = { driver: 's3', url: config.artifactsUrl, note: s3Note(config.artifactsUrl, snapshot.startedAt) };
  } else {
    const copied = await copyReferencedBlobs(fileURLToPath(config.artifactsUrl), snapshot.contents.blobs, target);
    files.push(...copied.files);
    blobs = { driver: 'fs', referenced: copied.referenced, copied: copied.files.length, missing: copied.missing, changed_after_snapshot: copied.changedAfterSnapshot };
  }

  const keyIncluded = copyKeyFile(config.dataDir, config.secretKeys !== undefined, path.join(target, KEY_FILE_COPY));
  if (keyIncluded) files.push(await describeFile(target, KEY_FILE_COPY));

  const manifest: BackupManifest = {
    format: 1,
    modelyard_version: VERSION,
    created_at: new Date().toISOString(),
    database: { kind: config.database.dialect, file: dbFile, snapshot_started_at: snapshot.startedAt.toISOString(), snapshot_finished_at: snapshot.finishedAt.toISOString() },
    migrations: snapshot.contents.migrations,
    counts: snapshot.contents.counts,
    blobs,
    secret_key: keyIncluded
      ? { included: true, file: KEY_FILE_COPY }
      : { included: false, note: config.secretKeys !== undefined ? KEY_FROM_ENVIRONMENT_NOTE : `THE SECRETS KEY IS NOT IN THIS BACKUP: there is no key file in ${config.dataDir}.` },
    files,
  };
  writeManifest(target, manifest);
  return manifest;
}
