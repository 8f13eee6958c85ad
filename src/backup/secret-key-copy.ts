import fs from 'node:fs';
import path from 'node:path';
import { KEY_FILE_NAME } from '../secrets/keyring-file.ts';

export const KEY_FROM_ENVIRONMENT_NOTE =
  'THE SECRETS KEY IS NOT IN THIS BACKUP: the server takes it from MODELYARD_SECRET_KEY. Keep that value safe, apart from this backup: without it the stored credentials (webhook secrets, CI variables, repository tokens) in this backup cannot be read.';

/** Writes `text` to a new file only its owner can read or write, whatever the umask. */
export function writePrivateFile(file: string, content: Buffer): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The key file goes into the backup (mode 0600, like the original); a key from the environment
 * cannot, and the caller says so loudly. Returns whether the key file was included.
 */
export function copyKeyFile(dataDir: string, keyFromEnvironment: boolean, target: string): boolean {
  if (keyFromEnvironment) return false;
  const source = path.join(dataDir, KEY_FILE_NAME);
  if (!fs.existsSync(source)) return false;
  writePrivateFile(target, fs.readFileSync(source));
  return true;
}
