import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.ts';

/**
 * Every table's row count and a checksum of its rows, to tell whether a request changed
 * anything. Two kinds of write are expected of a refused request and left out: the audit
 * entries that record refusals (`authentication.*`, `authorization.*`) and a token's
 * last-used time.
 */
export type TableSnapshot = Map<string, { rows: number; checksum: string }>;

const RECORDS_OF_REFUSALS = /^(authentication|authorization)\./;
const IGNORED_COLUMNS: Record<string, readonly string[]> = { tokens: ['last_used_at'] };

function canonical(row: Record<string, unknown>, ignored: readonly string[]): string {
  const kept = Object.keys(row)
    .filter((column) => !ignored.includes(column))
    .sort()
    .map((column) => {
      const value = row[column];
      return [column, Buffer.isBuffer(value) ? value.toString('base64') : typeof value === 'bigint' ? value.toString() : value];
    });
  return JSON.stringify(kept);
}

export async function snapshotTables(db: Kysely<Schema>): Promise<TableSnapshot> {
  const snapshot: TableSnapshot = new Map();
  const tables = await db.introspection.getTables();
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(db);
    const kept = table.name === 'audit_events' ? rows.filter((row) => !RECORDS_OF_REFUSALS.test(String(row.action))) : rows;
    const lines = kept.map((row) => canonical(row, IGNORED_COLUMNS[table.name] ?? [])).sort();
    snapshot.set(table.name, { rows: kept.length, checksum: createHash('sha256').update(lines.join('\n')).digest('hex') });
  }
  return snapshot;
}

/** The tables whose rows differ, with their counts before and after. */
export function changedTables(before: TableSnapshot, after: TableSnapshot): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .filter((name) => before.get(name)?.checksum !== after.get(name)?.checksum)
    .map((name) => `${name} (${before.get(name)?.rows ?? 'absent'} → ${after.get(name)?.rows ?? 'absent'} rows)`);
}
