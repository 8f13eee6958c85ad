import fs from 'node:fs';
import path from 'node:path';
import { BackupErrors } from './errors.ts';

/** The first executable `name` on PATH; a clear error when there is none. */
export function findProgram(name: string, searchPath = process.env.PATH ?? ''): string {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  throw BackupErrors.BACKUP_PROGRAM_MISSING({ program: name });
}
