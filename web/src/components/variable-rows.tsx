import type { Variable } from '../pipelines-model.ts';

/** Key/value rows for a pipeline's or a manual job's variables; one empty row is always offered. */
export function VariableRows({ rows, onChange, label }: { rows: Variable[]; onChange: (rows: Variable[]) => void; label: string }) {
  const shown = rows.length === 0 || rows[rows.length - 1]!.key !== '' ? [...rows, { key: '', value: '' }] : rows;
  const set = (i: number, patch: Partial<Variable>) => onChange(shown.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="variable-rows">
      {shown.map((row, i) => (
        <div key={i} className="variable-row">
          <input aria-label={`${label} key ${i + 1}`} placeholder="KEY" value={row.key} onChange={(e) => set(i, { key: e.target.value })} />
          <input aria-label={`${label} value ${i + 1}`} placeholder="value" value={row.value} onChange={(e) => set(i, { value: e.target.value })} />
          {row.key !== '' && (
            <button type="button" className="link" aria-label={`Remove ${label.toLowerCase()} ${row.key}`} onClick={() => onChange(shown.filter((_, j) => j !== i))}>
              remove
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
