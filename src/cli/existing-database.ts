import fs from 'node:fs';
import type { Config } from '../config/config.ts';
import { CliError, ExitCode } from './exit-codes.ts';

/**
 * The server-side commands that work on an installation (users, tokens, keys, backups) must
 * find its database, not make a new one: run without the server's MODELYARD_DATA_DIR, opening
 * the SQLite file would create an empty `./data/modelyard.db` (and a key file beside it) and
 * write the user or token there, where the server never looks. Only `serve`, `migrate` and
 * `restore` create a database. PostgreSQL databases are never created by opening them.
 */
export function assertExistingDatabase(config: Config): void {
  if (config.database.dialect !== 'sqlite' || fs.existsSync(config.database.file)) return;
  const named = process.env.MODELYARD_DATABASE_URL ? 'MODELYARD_DATABASE_URL' : 'MODELYARD_DATA_DIR';
  throw new CliError(
    `no database at ${config.database.file}: set ${named} as the server has it (this command does not create a database; modelyard serve or modelyard migrate makes a new one)`,
    ExitCode.error,
  );
}
