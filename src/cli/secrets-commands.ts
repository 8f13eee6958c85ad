import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { SEALED_COLUMNS } from '../server/sealed-columns.ts';
import { dropUnusedKeys, resealAll } from '../secrets/rotation.ts';
import { keyUsage } from '../secrets/sealed-values.ts';
import { newSecretKey, secretKeyText } from '../secrets/secret-key.ts';
import type { Keyring } from '../secrets/keyring.ts';
import { withServices } from './admin-commands.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

function sourceOf(keyring: Keyring): string {
  return keyring.file ? `the key file ${keyring.file.file}` : 'MODELYARD_SECRET_KEY';
}

/** `modelyard secrets status`: which keys this server holds and how many stored values each one sealed. */
export async function secretsStatusCommand(): Promise<void> {
  await withServices(async ({ keyring, database }) => {
    const usage = await keyUsage(database.db, SEALED_COLUMNS);
    const sealing = keyring.box.sealingKey().id;
    print(`keys from ${sourceOf(keyring)}:`);
    for (const id of keyring.box.keyIds()) print(`  ${id}${id === sealing ? ' (seals new values)' : ''}: ${usage.get(id) ?? 0} values`);
    const plaintext = usage.get('plaintext') ?? 0;
    if (plaintext > 0) print(`${plaintext} values are not sealed (written by an older server): modelyard secrets rotate seals them`);
  });
}

/**
 * `modelyard secrets rotate [--drop-old]`: a new key seals from now on and every stored value
 * is sealed again with it. Old keys stay until no value uses them (`--drop-old`, or
 * `modelyard secrets drop-old-keys` later), so a crash at any step loses nothing.
 */
export async function rotateSecretsCommand(options: { dropOld?: boolean }): Promise<void> {
  await withServices(async ({ keyring, database }) => {
    if (keyring.file) {
      const added = keyring.file.add();
      print(`added key ${added.id} to ${keyring.file.file}; it seals new values from now on`);
    } else {
      print(`the keys come from MODELYARD_SECRET_KEY: values are sealed again with its first key, ${keyring.box.sealingKey().id}`);
    }
    const report = await resealAll(database.db, keyring, SEALED_COLUMNS);
    for (const { column, values } of report.resealed) print(`  ${column}: ${values} values sealed again`);
    if (options.dropOld) await dropOld(keyring, database.db);
    else if (keyring.box.keyIds().length > 1) print('old keys are kept until no value uses them: modelyard secrets drop-old-keys removes them');
  });
}

/** `modelyard secrets drop-old-keys`: removes the keys no stored value uses any more. */
export async function dropOldKeysCommand(): Promise<void> {
  await withServices(async ({ keyring, database }) => dropOld(keyring, database.db));
}

async function dropOld(keyring: Keyring, db: Kysely<Schema>): Promise<void> {
  if (!keyring.file) {
    const usage = await keyUsage(db, SEALED_COLUMNS);
    const unused = keyring.box.keyIds().filter((id) => !usage.has(id) && id !== keyring.box.sealingKey().id);
    print(unused.length === 0 ? 'every key of MODELYARD_SECRET_KEY is still in use' : `no value uses ${unused.join(', ')} any more: remove it from MODELYARD_SECRET_KEY on every server`);
    return;
  }
  const { removed, kept } = await dropUnusedKeys(db, keyring, SEALED_COLUMNS);
  print(removed.length === 0 ? 'no key was removed: every key is still in use' : `removed keys ${removed.join(', ')}`);
  print(`keys kept: ${kept.join(', ')}`);
}

/** `modelyard secrets new-key`: a key for MODELYARD_SECRET_KEY. */
export function newKeyCommand(): void {
  print(secretKeyText(newSecretKey()));
}
