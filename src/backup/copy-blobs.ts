import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ManifestFile } from './manifest.ts';
import { BLOBS_DIR } from './manifest.ts';
import type { ReferencedBlob } from './snapshot-contents.ts';

export interface CopiedBlobs {
  referenced: number;
  files: ManifestFile[];
  /**
   * Referenced by the snapshot, gone before they could be copied: deletions wait for the backup
   * (src/backup/deletion-hold.ts), so only a hold that expired, or a change by other means.
   */
  missing: string[];
  /**
   * Not the bytes the snapshot recorded. Blobs are never written over (every upload gets a new
   * key), so this means the store was changed by other means, or by a server older than the
   * fresh keys; the backup then holds the newer bytes, the snapshot's row the older checksum.
   */
  changedAfterSnapshot: string[];
}

function insideRoot(root: string, key: string): string | null {
  const absolute = path.resolve(root, key);
  return absolute.startsWith(root + path.sep) ? absolute : null;
}

/** Copies one file, returning the checksum of the bytes copied; null when it is gone. */
async function copyMeasured(source: string, target: string): Promise<{ size: number; sha256: string } | null> {
  const hash = createHash('sha256');
  let size = 0;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    await pipeline(
      fs.createReadStream(source),
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      }),
      fs.createWriteStream(target, { flags: 'wx', mode: 0o600 }),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.rmSync(target, { force: true });
    return null;
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * The filesystem driver's files that the database snapshot refers to, copied after the snapshot
 * was taken. A file is renamed into place before its row is written, so every file the
 * snapshot refers to existed when the snapshot was taken; one written later is not referenced
 * and not copied.
 */
export async function copyReferencedBlobs(storeRoot: string, blobs: readonly ReferencedBlob[], backupDir: string): Promise<CopiedBlobs> {
  const root = fs.existsSync(storeRoot) ? fs.realpathSync(storeRoot) : path.resolve(storeRoot);
  const result: CopiedBlobs = { referenced: 0, files: [], missing: [], changedAfterSnapshot: [] };
  const seen = new Set<string>();
  for (const blob of blobs) {
    if (seen.has(blob.key)) continue;
    seen.add(blob.key);
    result.referenced++;
    const source = insideRoot(root, blob.key);
    const relative = `${BLOBS_DIR}/${blob.key}`;
    const copied = source === null ? null : await copyMeasured(source, path.join(backupDir, relative));
    if (copied === null) {
      result.missing.push(blob.key);
      continue;
    }
    if (copied.sha256 !== blob.sha256) result.changedAfterSnapshot.push(blob.key);
    result.files.push({ path: relative, size: copied.size, sha256: copied.sha256 });
  }
  return result;
}
