import { defineErrors } from '../shared/errors.ts';

/**
 * Why `modelyard backup` or `modelyard restore` stopped. Each is raised before anything is
 * written to the target, so a refused command leaves it as it was.
 */
export const BackupErrors = defineErrors('backup', {
  BACKUP_TARGET_NOT_EMPTY: { kind: 'conflict', message: (p: { dir: string }) => `the backup folder ${p.dir} is not empty: give a new or empty folder` },
  BACKUP_NO_DATABASE: { kind: 'not_found', message: (p: { file: string }) => `there is no database at ${p.file}: check MODELYARD_DATA_DIR and MODELYARD_DATABASE_URL` },
  BACKUP_PROGRAM_MISSING: {
    kind: 'unavailable',
    message: (p: { program: string }) => `${p.program} was not found on PATH: install PostgreSQL's client programs (Debian: postgresql-client) matching the server's major version`,
  },
  BACKUP_PROGRAM_FAILED: { kind: 'unavailable', message: (p: { program: string; output: string }) => `${p.program} failed: ${p.output}` },
  BACKUP_UNREADABLE: { kind: 'invalid', message: (p: { dir: string; why: string }) => `${p.dir} is not a usable Modelyard backup: ${p.why}` },
  RESTORE_TARGET_NOT_EMPTY: {
    kind: 'conflict',
    message: (p: { what: string }) => `refusing to restore: ${p.what} is not empty; restore goes only into an empty data folder and an empty database (nothing was changed)`,
  },
  RESTORE_DIALECT_MISMATCH: {
    kind: 'invalid',
    message: (p: { backup: string; configured: string }) => `refusing to restore: the backup holds a ${p.backup} database but MODELYARD_DATABASE_URL names a ${p.configured} one (nothing was changed)`,
  },
  RESTORE_NEWER_SCHEMA: {
    kind: 'invalid',
    message: (p: { migration: string }) =>
      `refusing to restore: the backup was made by a newer Modelyard (migration ${p.migration} is unknown to this version); restore with that version or newer (nothing was changed)`,
  },
  RESTORE_KEY_MISSING: {
    kind: 'invalid',
    message:
      'refusing to restore: the backup does not hold the secrets key (the server took it from MODELYARD_SECRET_KEY); set MODELYARD_SECRET_KEY to that key and run restore again (nothing was changed)',
  },
});
