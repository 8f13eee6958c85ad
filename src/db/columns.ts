import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely';
import type { Dialect } from './database.ts';

/**
 * The few places where SQLite and PostgreSQL need different DDL. Everything else in the
 * migrations is written once with Kysely's schema builder.
 */
export interface ColumnTypes {
  /** 64-bit integer: ids, epoch milliseconds, sizes. */
  bigint: 'integer' | 'bigint';
  /** IEEE double: metric values. */
  double: 'real' | 'double precision';
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  return dialect === 'sqlite' ? { bigint: 'integer', double: 'real' } : { bigint: 'bigint', double: 'double precision' };
}

/** An auto-incremented integer primary key named `id`. */
export function withId<T extends string>(table: CreateTableBuilder<T, never>, dialect: Dialect): CreateTableBuilder<T, 'id'> {
  return dialect === 'sqlite' ? table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement()) : table.addColumn('id', 'bigint', (col) => col.primaryKey().generatedByDefaultAsIdentity());
}

export const notNull = (col: ColumnDefinitionBuilder) => col.notNull();

export type MigrationDb = Kysely<unknown>;

export { sql };
