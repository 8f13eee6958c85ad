import { useMemo, useState } from 'react';
import { cellText, sortRows, type MlflowTable, type SortDirection } from '../mlflow-table.ts';

/** A table is for reading: past this many rows, the download has the rest. */
export const TABLE_PREVIEW_ROWS = 500;

/** An MLflow `log_table` artifact as a table: a header click sorts by it, a second click reverses. */
export function MlflowTableView({ table, name }: { table: MlflowTable; name: string }) {
  const [sort, setSort] = useState<{ column: number; direction: SortDirection } | null>(null);
  const rows = useMemo(() => (sort ? sortRows(table.rows, sort.column, sort.direction) : table.rows), [table, sort]);
  const shown = rows.slice(0, TABLE_PREVIEW_ROWS);
  const toggle = (column: number) => setSort((s) => ({ column, direction: s?.column === column && s.direction === 'ascending' ? 'descending' : 'ascending' }));
  return (
    <>
      <table className="grid mlflow-table" data-testid="mlflow-table">
        <caption>
          {name}: {table.rows.length} {table.rows.length === 1 ? 'row' : 'rows'}
        </caption>
        <thead>
          <tr>
            {table.columns.map((column, i) => (
              <th key={i} scope="col" aria-sort={sort?.column === i ? sort.direction : 'none'}>
                <button type="button" className="link" onClick={() => toggle(i)}>
                  {column}
                  <span aria-hidden="true">{sort?.column === i ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, r) => (
            <tr key={r}>
              {table.columns.map((_, c) => (
                <td key={c}>{cellText(row[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > shown.length && (
        <p className="muted" role="note">
          Showing the first {shown.length} of {rows.length} rows (in the order chosen); download the file for all of them.
        </p>
      )}
    </>
  );
}
