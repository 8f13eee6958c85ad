import fs from 'node:fs';
import path from 'node:path';

/** Where the first start leaves root's password, as GitLab's /etc/gitlab/initial_root_password. */
export const INITIAL_PASSWORD_FILE = 'initial_root_password';

/** How long the file is kept: long enough to sign in, short enough not to linger in backups of the data folder. */
export const INITIAL_PASSWORD_FILE_TTL_MS = 24 * 3600_000;

/**
 * Writes the first start's password into the data folder, readable by the server's user only
 * (created exclusively: an existing file, or a link planted in its place, is never followed).
 * A log collector keeps whatever a container prints for as long as it likes, so a password that
 * works until someone changes it is not printed where it is not read by a person at once.
 */
export function writeInitialPassword(dataDir: string, password: string): string {
  const file = path.join(dataDir, INITIAL_PASSWORD_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.rmSync(file, { force: true });
  fs.writeFileSync(
    file,
    `# The password of the administrator "root", made at the first start.\n# Sign in, change it, and delete this file; it is removed at a start 24 hours after it was made.\nPassword: ${password}\n`,
    {
      mode: 0o600,
      flag: 'wx',
    },
  );
  return file;
}

/** Removes the file once it is a day old (at a start); answers whether it did. */
export function removeStaleInitialPassword(dataDir: string, nowMs: number): boolean {
  const file = path.join(dataDir, INITIAL_PASSWORD_FILE);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return false;
  }
  if (nowMs - stat.mtimeMs < INITIAL_PASSWORD_FILE_TTL_MS) return false;
  fs.rmSync(file, { force: true });
  return true;
}
