/**
 * MLflow's `log_table` artifacts: pandas' `to_json(orient="split", index=False)`, that is
 * `{"columns": [...], "data": [[...], ...]}`. Recognised by that shape alone, whatever the file
 * is called, so a table logged under any name (or by hand in the same shape) previews as one.
 */
export interface MlflowTable {
  columns: string[];
  rows: unknown[][];
}

export type SortDirection = 'ascending' | 'descending';

export function mlflowTableOf(value: unknown): MlflowTable | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value).sort();
  if (keys.length !== 2 || keys[0] !== 'columns' || keys[1] !== 'data') return null;
  const { columns, data } = value as { columns: unknown; data: unknown };
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) return null;
  if (!Array.isArray(data) || !data.every((row) => Array.isArray(row))) return null;
  return { columns: columns as string[], rows: data as unknown[][] };
}

/** A cell as text: strings as they are, everything else (numbers, nested objects) as JSON; null and missing as empty. */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'string' ? cell : JSON.stringify(cell);
}

/**
 * Numbers before text and both before empty cells, whichever the direction, so that a
 * mostly-numeric column with a few gaps reads the same way up and down.
 */
function rank(cell: unknown): number {
  if (typeof cell === 'number' || typeof cell === 'boolean') return 0;
  return cell === null || cell === undefined ? 2 : 1;
}

export function compareCells(a: unknown, b: unknown): number {
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return byRank;
  if (rank(a) === 0) return Number(a) - Number(b);
  return cellText(a).localeCompare(cellText(b), undefined, { numeric: true });
}

/** The rows sorted by one column (stable: equal cells keep their logged order); the input is left as it is. */
export function sortRows(rows: unknown[][], column: number, direction: SortDirection): unknown[][] {
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      const rx = rank(x.row[column]);
      const ry = rank(y.row[column]);
      // Empty cells stay last in both directions.
      if (rx === 2 || ry === 2) return rx - ry || x.index - y.index;
      return sign * compareCells(x.row[column], y.row[column]) || x.index - y.index;
    })
    .map(({ row }) => row);
}
