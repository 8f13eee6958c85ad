import { CliError, ExitCode } from '../exit-codes.ts';

export type OutputFormat = 'json' | 'table';

export function outputFormat(value: string | undefined): OutputFormat {
  const format = value ?? 'table';
  if (format !== 'json' && format !== 'table') throw new CliError(`--output must be json or table, got "${format}"`, ExitCode.usage);
  return format;
}

/** A column of a table: its heading and how a row shows in it. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
}

const cell = (value: string | number | null | undefined) => (value === null || value === undefined ? '' : String(value));

/**
 * Rows as the API answered them (json: one document a script can parse), or as aligned columns
 * for a person (table).
 */
export function printRows<T>(format: OutputFormat, rows: T[], columns: Column<T>[]): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row)).replace(/\s+/g, ' ')));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n')}\n`);
}

/** One object: as the API answered it (json), or one `field: value` line per field (table). */
export function printOne<T>(format: OutputFormat, row: T, fields: Column<T>[]): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(row, null, 2)}\n`);
    return;
  }
  const width = Math.max(...fields.map((field) => field.header.length));
  process.stdout.write(`${fields.map((field) => `${`${field.header}:`.padEnd(width + 1)} ${cell(field.value(row))}`).join('\n')}\n`);
}
