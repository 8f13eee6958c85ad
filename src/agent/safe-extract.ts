import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

/** More entries than a model directory ever has: a sign of a broken or hostile archive. */
const MAX_ENTRIES = 100_000;

export class UnsafeArchiveError extends Error {
  override readonly name = 'UnsafeArchiveError';
}

/**
 * The path of an entry inside `root`, or an error: relative, no `..`, no NUL. Since only
 * regular files and directories are ever created (never a link), and `root` is a directory this
 * agent just made, nothing written can land outside it.
 */
function targetOf(root: string, name: string): string {
  if (name.includes('\0')) throw new UnsafeArchiveError(`the archive names a file with a NUL byte`);
  if (name.startsWith('/')) throw new UnsafeArchiveError(`the archive names an absolute path: ${name.slice(0, 200)}`);
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw new UnsafeArchiveError(`the archive names a path outside its directory: ${name.slice(0, 200)}`);
  const target = path.join(root, ...segments);
  if (target !== root && !target.startsWith(root + path.sep)) throw new UnsafeArchiveError(`the archive names a path outside its directory: ${name.slice(0, 200)}`);
  return target;
}

/**
 * Unpacks a tar.gz into `root` (which must not exist yet), refusing the whole archive at the
 * first entry that is not a plain file or directory (links, devices, FIFOs) or whose path
 * would leave `root`. Files get mode 0644 (0755 when the archive marks them executable).
 */
export async function extractTarGz(file: string, root: string): Promise<void> {
  fs.mkdirSync(root, { recursive: false, mode: 0o755 });
  const entries = extract();
  const feeding = pipeline(fs.createReadStream(file), createGunzip(), entries);
  let count = 0;
  try {
    for await (const entry of entries) {
      const { name, type, mode } = entry.header;
      if (++count > MAX_ENTRIES) throw new UnsafeArchiveError(`the archive has more than ${MAX_ENTRIES} entries`);
      const target = targetOf(root, name);
      if (type === 'directory') {
        fs.mkdirSync(target, { recursive: true, mode: 0o755 });
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') throw new UnsafeArchiveError(`the archive holds a ${type} (${name.slice(0, 200)}); only files and directories are unpacked`);
      if (target === root) throw new UnsafeArchiveError('the archive names its own root as a file');
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
      // 'wx': an entry never overwrites another one (nor anything else already there).
      await pipeline(entry, fs.createWriteStream(target, { flags: 'wx', mode: (mode ?? 0) & 0o111 ? 0o755 : 0o644 }));
    }
    await feeding;
  } catch (error) {
    entries.destroy();
    await feeding.catch(() => undefined);
    throw error;
  }
}
