/**
 * A column that holds sealed values, declared once by the domain that owns the table. The
 * row key (its primary key) goes into each value's context, so a value opens only in its row.
 */
export interface SealedColumn {
  table: string;
  column: string;
  rowKey: readonly string[];
  /** The context a value of this column is sealed under, e.g. `webhooks.secret#12`. */
  context(...rowKey: readonly (string | number)[]): string;
}

export function sealedColumn(table: string, column: string, rowKey: readonly string[]): SealedColumn {
  return {
    table,
    column,
    rowKey,
    context: (...values) => {
      if (values.length !== rowKey.length) throw new Error(`${table}.${column} is keyed by ${rowKey.join(', ')}`);
      return `${table}.${column}#${values.join('/')}`;
    },
  };
}
