import type { Kysely } from 'kysely';
import { sealedColumn } from '../../secrets/sealed-column.ts';
import { sealPlaintextValues } from '../../secrets/sealed-values.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import type { Dialect } from '../database.ts';
import type { Schema } from '../schema.ts';
import { inTransaction } from '../transaction.ts';

/**
 * The credentials stored in clear until now, as they were declared when this migration was
 * written (a later change of the domains' declarations needs its own migration).
 */
const COLUMNS = [
  sealedColumn('webhooks', 'secret', ['id']),
  sealedColumn('ci_settings', 'repository_url', ['project_id']),
  sealedColumn('ci_settings', 'webhook_secret', ['project_id']),
  sealedColumn('ci_variables', 'value', ['id']),
];

/**
 * Seals what is stored in clear. PostgreSQL runs every migration in one transaction; SQLite's
 * migrations run without one, so this one opens its own. A value that already opens is left
 * alone, so a run interrupted before it was recorded seals nothing twice when it runs again.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect, secrets: SecretBox): Promise<void> {
  // The Migrator hands over Kysely<unknown>; inTransaction only needs a handle, whatever its schema.
  await inTransaction(db as Kysely<Schema>, async (trx) => {
    for (const column of COLUMNS) await sealPlaintextValues(trx, secrets, column);
  });
}
