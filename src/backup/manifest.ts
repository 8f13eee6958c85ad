import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BackupErrors } from './errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const SQLITE_SNAPSHOT_FILE = 'database.sqlite';
export const POSTGRES_DUMP_FILE = 'database.dump';
export const KEY_FILE_COPY = 'secret-keys.json';
/** Blob store files, under their store keys. */
export const BLOBS_DIR = 'blobs';

export interface ManifestFile {
  /** Relative to the backup folder, with `/`. */
  path: string;
  size: number;
  sha256: string;
}

/** What `modelyard backup` wrote, and what `modelyard restore` checks before it changes anything. */
export interface BackupManifest {
  format: 1;
  modelyard_version: string;
  created_at: string;
  database: {
    kind: 'sqlite' | 'postgres';
    file: string;
    /** Every write acknowledged before this moment is in the snapshot. */
    snapshot_started_at: string;
    snapshot_finished_at: string;
  };
  /** Schema migrations applied in the snapshot, in order. */
  migrations: string[];
  /** Rows per table in the snapshot. */
  counts: Record<string, number>;
  blobs: { driver: 'fs'; referenced: number; copied: number; missing: string[]; changed_after_snapshot: string[] } | { driver: 's3'; url: string; note: string };
  secret_key: { included: true; file: string } | { included: false; note: string };
  files: ManifestFile[];
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export async function describeFile(dir: string, relative: string): Promise<ManifestFile> {
  const absolute = path.join(dir, relative);
  return { path: relative.split(path.sep).join('/'), size: fs.statSync(absolute).size, sha256: await sha256OfFile(absolute) };
}

export function writeManifest(dir: string, manifest: BackupManifest): void {
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

/** Reads the manifest and checks every file it lists against its checksum. */
export async function readVerifiedManifest(dir: string): Promise<BackupManifest> {
  const unreadable = (why: string) => BackupErrors.BACKUP_UNREADABLE({ dir, why });
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as BackupManifest;
  } catch (error) {
    throw unreadable(`${MANIFEST_FILE} cannot be read (${(error as Error).message})`);
  }
  if (manifest.format !== 1 || !Array.isArray(manifest.files) || !manifest.database) throw unreadable(`${MANIFEST_FILE} is not a format-1 manifest`);
  for (const file of manifest.files) {
    const absolute = path.resolve(dir, file.path);
    if (!absolute.startsWith(path.resolve(dir) + path.sep)) throw unreadable(`the file ${file.path} lies outside the backup`);
    if (!fs.existsSync(absolute)) throw unreadable(`the file ${file.path} is missing`);
    if ((await sha256OfFile(absolute)) !== file.sha256) throw unreadable(`the file ${file.path} does not match its checksum`);
  }
  return manifest;
}
