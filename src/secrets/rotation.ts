import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { ConfigError } from '../config/config.ts';
import type { Keyring } from './keyring.ts';
import type { SealedColumn } from './sealed-column.ts';
import { keyUsage, resealWithSealingKey } from './sealed-values.ts';

export interface ResealReport {
  sealingKey: string;
  resealed: { column: string; values: number }[];
}

/**
 * Seals every stored value again with the sealing key, one transaction per table: a crash
 * leaves each table wholly old or wholly new, and both kinds open, because old keys stay in
 * the keyring until `dropUnusedKeys` finds no value that uses them.
 */
export async function resealAll(db: Kysely<Schema>, keyring: Keyring, columns: readonly SealedColumn[]): Promise<ResealReport> {
  const resealed: ResealReport['resealed'] = [];
  for (const table of new Set(columns.map((c) => c.table))) {
    await inTransaction(db, async (trx) => {
      for (const column of columns.filter((c) => c.table === table)) {
        resealed.push({ column: `${column.table}.${column.column}`, values: await resealWithSealingKey(trx, keyring.box, column) });
      }
    });
  }
  return { sealingKey: keyring.box.sealingKey().id, resealed };
}

/**
 * Removes from the key file every key no stored value uses. The usage is read again after the
 * file is written: a value sealed meanwhile by a server that had not yet seen the new key puts
 * its key back, so no value is ever left without its key.
 */
export async function dropUnusedKeys(db: Kysely<Schema>, keyring: Keyring, columns: readonly SealedColumn[]): Promise<{ removed: string[]; kept: string[] }> {
  if (!keyring.file) throw new Error('the keys come from MODELYARD_SECRET_KEY: remove old keys from the variable on every server instead');
  const before = await keyUsage(db, columns);
  const removed = keyring.file.retainOnly(new Set(before.keys()));
  const after = await keyUsage(db, columns);
  const needed = removed.filter((k) => after.has(k.id));
  keyring.file.restore(needed);
  return { removed: removed.filter((k) => !needed.includes(k)).map((k) => k.id), kept: keyring.box.keyIds() };
}

/**
 * Start-up check: every sealed value's key must be in this server's keyring. Replicas that
 * each made their own key file would otherwise fail one request in two.
 */
export async function assertKeysForStoredSecrets(db: Kysely<Schema>, keyring: Keyring, columns: readonly SealedColumn[]): Promise<void> {
  const usage = await keyUsage(db, columns);
  const held = new Set(keyring.box.keyIds());
  const missing = [...usage.keys()].filter((id) => id !== 'plaintext' && !held.has(id));
  if (missing.length === 0) return;
  const where = keyring.file ? `the key file ${keyring.file.file} holds ${[...held].join(', ')}` : `MODELYARD_SECRET_KEY holds ${[...held].join(', ')}`;
  throw new ConfigError(
    'MODELYARD_SECRET_KEY',
    `the database holds secrets sealed with key ${missing.join(', ')}, which this server does not have (${where}); every server of one database needs the same keys: set the same MODELYARD_SECRET_KEY on each, or restore the key file from its backup`,
  );
}
