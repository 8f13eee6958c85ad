import { sql, type QueryExecutorProvider } from 'kysely';
import { SecretBox } from './secret-box.ts';
import type { SealedColumn } from './sealed-column.ts';

/** One stored value of a sealed column, with the row key it is bound to. */
interface StoredValue {
  rowKey: (string | number)[];
  value: string;
}

/** Any Kysely handle: the data migration's (Kysely<unknown>) as well as the services' (Kysely<Schema>). */
type AnyKysely = QueryExecutorProvider;

export async function storedValues(db: AnyKysely, column: SealedColumn): Promise<StoredValue[]> {
  const keys = column.rowKey.map((k) => sql.ref(k));
  const rows = await sql<
    Record<string, string | number | null>
  >`select ${sql.join(keys)}, ${sql.ref(column.column)} as sealed_value from ${sql.table(column.table)} where ${sql.ref(column.column)} is not null`.execute(db);
  return rows.rows.map((row) => ({ rowKey: column.rowKey.map((k) => row[k] as string | number), value: String(row.sealed_value) }));
}

/**
 * Replaces one value, only if it is still the one read: a value changed meanwhile by a request
 * was sealed by that request and must not be overwritten with an older one.
 */
export async function replaceValue(db: AnyKysely, column: SealedColumn, stored: StoredValue, next: string): Promise<boolean> {
  const where = sql.join([...column.rowKey.map((k, i) => sql`${sql.ref(k)} = ${stored.rowKey[i]}`), sql`${sql.ref(column.column)} = ${stored.value}`], sql` and `);
  const result = await sql`update ${sql.table(column.table)} set ${sql.ref(column.column)} = ${next} where ${where}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/** How many values of each column each key sealed; `plaintext` counts values that are not sealed at all. */
export async function keyUsage(db: AnyKysely, columns: readonly SealedColumn[]): Promise<Map<string, number>> {
  const usage = new Map<string, number>();
  for (const column of columns) {
    for (const stored of await storedValues(db, column)) {
      const id = SecretBox.keyIdOf(stored.value) ?? 'plaintext';
      usage.set(id, (usage.get(id) ?? 0) + 1);
    }
  }
  return usage;
}

/**
 * Seals every value of `column` that this keyring cannot open, i.e. the plaintext written
 * before values were sealed. A value that opens is left alone, so running it twice (a crash
 * between the work and the migration's record) seals nothing twice.
 */
export async function sealPlaintextValues(db: AnyKysely, box: SecretBox, column: SealedColumn): Promise<number> {
  let sealed = 0;
  for (const stored of await storedValues(db, column)) {
    const context = column.context(...stored.rowKey);
    if (box.opens(stored.value, context)) continue;
    if (await replaceValue(db, column, stored, box.seal(stored.value, context))) sealed++;
  }
  return sealed;
}

/**
 * Seals every value of `column` again with the sealing key. A value that does not open stops
 * the work (the caller's transaction rolls back); plaintext left by an older server is sealed.
 */
export async function resealWithSealingKey(db: AnyKysely, box: SecretBox, column: SealedColumn): Promise<number> {
  const sealingKey = box.sealingKey().id;
  let resealed = 0;
  for (const stored of await storedValues(db, column)) {
    const context = column.context(...stored.rowKey);
    const keyId = SecretBox.keyIdOf(stored.value);
    if (keyId === sealingKey) continue;
    const plaintext = keyId === null ? stored.value : box.open(stored.value, context);
    if (await replaceValue(db, column, stored, box.seal(plaintext, context))) resealed++;
  }
  return resealed;
}
